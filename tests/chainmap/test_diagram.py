"""The chain diagram: a box per segment in its tier's column, coloured by grade, and every supply edge."""

import xml.etree.ElementTree as ET

from chainmap.diagram import FILL, chain_svg
from chainmap.panorama import Grade, build_panorama
from chainmap.taxonomy import Tier

SVG = "{http://www.w3.org/2000/svg}"


def _parse(chain, enterprises):
    panorama = build_panorama(chain, enterprises)
    return panorama, ET.fromstring(chain_svg(chain, panorama))


def test_every_leaf_has_one_box_coloured_by_its_grade(chain, small_demo):
    panorama, root = _parse(chain, small_demo.enterprises)
    boxes = {g.get("data-code"): g for g in root.iter(f"{SVG}g") if g.get("class") == "segment"}
    assert set(boxes) == {s.code for s in chain.leaves}
    for code, group in boxes.items():
        grade = panorama.segments[code].grade
        assert group.find(f"{SVG}rect").get("fill") == FILL[grade]
        texts = "".join(t.text or "" for t in group.iter(f"{SVG}text"))
        assert chain.segments[code].name[:10] in texts
        if chain.segments[code].tier is Tier.SCENARIO:  # a demand: counted by the enterprises that can serve it
            serving = sum(panorama.segments[e.supplier].enterprises for e in chain.edges if e.buyer == code)
            assert f"可供给企业 {serving}" in texts and serving > 0
        else:
            assert f"企业 {panorama.segments[code].enterprises}" in texts


def test_tiers_run_left_to_right(chain, small_demo):
    _, root = _parse(chain, small_demo.enterprises)
    x = {
        g.get("data-code"): float(g.find(f"{SVG}rect").get("x"))
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "segment"
    }
    by_tier = {tier: [x[s.code] for s in chain.leaves if s.tier is tier] for tier in Tier}
    for earlier, later in zip(list(Tier), list(Tier)[1:], strict=False):
        assert max(by_tier[earlier]) < min(by_tier[later])


def test_every_supply_edge_is_drawn_with_its_reason(chain, small_demo):
    _, root = _parse(chain, small_demo.enterprises)
    paths = [p for p in root.iter(f"{SVG}path") if p.get("class") == "edge"]
    assert len(paths) == len(chain.edges)
    drawn = {(p.get("data-from"), p.get("data-to")) for p in paths}
    assert drawn == {(e.supplier, e.buyer) for e in chain.edges}
    assert all(p.find(f"{SVG}title").text for p in paths)


def test_an_empty_district_is_all_missing_and_says_so(chain):
    panorama, root = _parse(chain, [])
    assert {s.grade for s in panorama.graded()} == {Grade.MISSING}
    assert "本地暂无企业" in ET.tostring(root, encoding="unicode")
