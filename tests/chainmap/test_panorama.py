"""The panorama follows the data: grades, park focus, and gaps ranked by local demand."""

from dataclasses import replace

import pytest

from chainmap.demo import generate_demo
from chainmap.panorama import Grade, GradeRule, build_panorama
from geodata import LOCAL_CITY


@pytest.fixture(scope="module")
def district(chain):
    return generate_demo(chain, n_enterprises=1500, seed=3)


@pytest.fixture(scope="module")
def panorama(chain, district):
    return build_panorama(chain, district.enterprises)


def _local_in(chain, enterprises, code):
    codes = set(chain.descendants(code))
    return [e for e in enterprises if e.city == LOCAL_CITY and codes & set(e.segments)]


def test_counts_and_grades_follow_the_documented_rule(chain, district, panorama):
    for code in ("ST.CHIP.MCU", "ST.PART.REDUCER", "ST.CHIP"):
        members = _local_in(chain, district.enterprises, code)
        strength = panorama.segments[code]
        assert strength.enterprises == len(members)
        assert strength.revenue_yuan == sum(e.revenue_yuan or 0 for e in members)
    for s in panorama.graded():
        expected = (
            Grade.MISSING if s.enterprises == 0 else Grade.WEAK if s.enterprises < panorama.threshold else Grade.STRONG
        )
        assert s.grade is expected, s.code
    assert panorama.segments["ST.CHIP"].grade is None  # parents are not graded
    assert panorama.segments["ST.SCN.MED"].grade is None  # nor are scenarios


def test_the_threshold_adapts_to_the_size_of_the_database(chain, district):
    rule = GradeRule(min_enterprises=3, median_share=0.4)
    small = build_panorama(chain, district.enterprises[:300], rule)
    large = build_panorama(chain, district.enterprises, rule)
    assert small.threshold < large.threshold


def test_the_deliberately_scarce_reducers_are_a_ranked_gap(panorama):
    codes = [g.code for g in panorama.gaps]
    assert "ST.PART.REDUCER" in codes
    demands = [g.demand for g in panorama.gaps]
    assert demands == sorted(demands, reverse=True)


def test_removing_every_supplier_of_a_segment_makes_it_missing_and_ranked_by_its_demand(chain, district):
    target = "ST.PART.MOTOR"  # bought by every robot maker
    before = build_panorama(chain, district.enterprises)
    assert before.segments[target].grade is Grade.STRONG
    without = [
        e if target not in e.segments or e.city != LOCAL_CITY else replace(e, segments={}) for e in district.enterprises
    ]
    after = build_panorama(chain, without)
    assert after.segments[target].grade is Grade.MISSING
    gap = next(g for g in after.gaps if g.code == target)
    buyers = {edge.buyer: edge.weight for edge in chain.edges if edge.supplier == target}
    expected = sum(w * after.segments[b].enterprises for b, w in buyers.items())
    assert gap.demand == pytest.approx(expected)
    assert {d.code for d in gap.needed_by} <= set(buyers)
    rank = [g.code for g in after.gaps].index(target)
    assert all(g.demand >= gap.demand for g in after.gaps[:rank])
    assert all(g.demand <= gap.demand for g in after.gaps[rank + 1 :])
    # Those elsewhere in the G60 cities come first among the candidates to attract.
    assert gap.candidates and all(c.city != LOCAL_CITY for c in gap.candidates)


def test_park_focus_share_counts_enterprises_in_the_planned_segments(chain, district, panorama):
    plan = next(p for p in chain.park_focus if p.park == "洞泾人工智能产业基地")
    planned = {c for code in plan.focus for c in chain.descendants(code)}
    inside = [e for e in district.enterprises if e.park == plan.park]
    fit = next(p for p in panorama.parks if p.park == plan.park)
    assert fit.enterprises == len(inside)
    assert fit.in_focus == sum(bool(planned & set(e.segments)) for e in inside)
    assert 0.5 < fit.share <= 1


def test_the_json_is_marked_as_demo_and_carries_the_rule(panorama):
    data = panorama.to_json()
    assert data["notes"] and "示例" in data["notes"][0]
    assert "中位数" in data["rule"]["description"]
    assert data["segments"]["ST.CHIP.MCU"]["grade"] in ("strong", "weak", "missing")


def test_parent_level_assignments_count_above_and_are_reported_unresolved(chain, district):
    local = [e for e in district.enterprises if e.city == LOCAL_CITY]
    vague = [replace(e, segments={"ST.CHIP": 0.6}) for e in local[:7]]
    panorama = build_panorama(chain, [*vague, *district.enterprises[7:]])
    assert panorama.unresolved == 7
    assert panorama.segments["ST.CHIP"].unresolved == 7
    assert panorama.segments["ST.CHIP"].enterprises == len(
        _local_in(chain, [*vague, *district.enterprises[7:]], "ST.CHIP")
    )
    assert any("7 家本地企业尚未细分" in note for note in panorama.notes)
    assert build_panorama(chain, district.enterprises).unresolved == 0
