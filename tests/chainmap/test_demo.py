from collections import Counter, defaultdict

from chainmap import uscc
from chainmap.demo import generate_demo, scale_up
from chainmap.records import check_enterprise
from geodata import G60_CITIES, LOCAL_CITY, inside_district


def test_same_seed_same_district_other_seed_other_district(chain, small_demo):
    again = generate_demo(chain, n_enterprises=300, seed=7)
    assert again == small_demo
    assert generate_demo(chain, n_enterprises=300, seed=8).enterprises != small_demo.enterprises


def test_every_record_is_marked_demo_valid_and_inside_the_district(small_demo):
    codes = [e.uscc for e in small_demo.enterprises]
    assert len(set(codes)) == len(codes)
    for e in small_demo.enterprises:
        assert e.demo and e.name.startswith("示例")
        assert uscc.is_valid(e.uscc)
        check_enterprise(e)
    local = [e for e in small_demo.enterprises if e.city == LOCAL_CITY]
    assert inside_district([e.lon for e in local], [e.lat for e in local]).all()
    assert all(c.demo for c in small_demo.contracts)


def test_a_few_suppliers_are_in_other_g60_cities_without_a_songjiang_position(chain, small_demo):
    elsewhere = [e for e in small_demo.enterprises if e.city != LOCAL_CITY]
    assert 0.02 < len(elsewhere) / len(small_demo.enterprises) < 0.1
    for e in elsewhere:
        assert e.city in G60_CITIES and e.lon is None and e.town is None and e.park is None
        assert all(chain.root_of(code).code == "ST.SUP" for code in e.segments)
    buyers = {c.buyer_uscc for c in small_demo.contracts}
    sellers = {c.seller_uscc for c in small_demo.contracts}
    assert not buyers & {e.uscc for e in elsewhere}
    assert sellers & {e.uscc for e in elsewhere}


def test_the_supply_base_is_the_largest_direction_and_some_firms_are_outside_the_chain(chain, small_demo):
    roots = Counter(chain.root_of(code).code for e in small_demo.enterprises for code in e.segments)
    assert roots.most_common(1)[0][0] == "ST.SUP"
    outside = sum(not e.segments for e in small_demo.enterprises)
    assert 0.03 < outside / len(small_demo.enterprises) < 0.15


def test_focus_parks_mostly_hold_their_planned_segments(chain, small_demo):
    plan = {p.park: {c for code in p.focus for c in chain.descendants(code)} for p in chain.park_focus}
    in_focus = Counter()
    total = Counter()
    for e in small_demo.enterprises:
        if e.park in plan:
            total[e.park] += 1
            in_focus[e.park] += any(code in plan[e.park] for code in e.segments)
    for park, n in total.items():
        assert in_focus[park] / n > 0.6, park


def test_contracts_follow_supply_edges_and_some_pairs_cross_the_reward_threshold(chain, small_demo):
    segments = {e.uscc: set(e.segments) for e in small_demo.enterprises}
    edges = {(edge.supplier, edge.buyer) for edge in chain.edges}
    yearly = defaultdict(int)
    for c in small_demo.contracts:
        assert c.buyer_uscc != c.seller_uscc
        assert any((s, b) in edges for s in segments[c.seller_uscc] for b in segments[c.buyer_uscc])
        assert 2023 <= c.year <= 2026 and c.signed_on.year == c.year
        assert 0 < c.performed_yuan <= c.contracted_yuan
        yearly[(c.buyer_uscc, c.seller_uscc, c.year)] += c.performed_yuan
    crossing = sum(v >= 3_000_000 for v in yearly.values())
    assert 0.01 < crossing / len(yearly) < 0.3


def test_scale_up_copies_the_district_with_new_codes_inside_the_boundary(small_demo):
    bigger = scale_up(small_demo, 700, seed=1)
    codes = [e.uscc for e in bigger.enterprises]
    assert len(codes) == len(set(codes)) == 700 and all(uscc.is_valid(c) for c in codes)
    assert all(e.demo and e.name.startswith("示例") for e in bigger.enterprises)
    located = [e for e in bigger.enterprises if e.lon is not None]
    assert inside_district([e.lon for e in located], [e.lat for e in located]).all()
    moved = {e.name for e in bigger.enterprises} - {e.name for e in small_demo.enterprises}
    assert len(moved) == 400
    assert {c.buyer_uscc for c in bigger.contracts} <= set(codes) and {c.seller_uscc for c in bigger.contracts} <= set(
        codes
    )
    assert 2 * len(small_demo.contracts) <= len(bigger.contracts) <= 3 * len(small_demo.contracts)


def test_demo_enterprises_carry_an_industry_class_that_maps_to_their_segment(chain):
    from chainmap.industry import CodeMap

    codes = CodeMap.for_chain(chain.code)
    district = generate_demo(chain, n_enterprises=300, seed=5)
    in_chain = [e for e in district.enterprises if e.segments]
    coded = [e for e in in_chain if e.industry_code]
    assert len(coded) >= 0.8 * len(in_chain)
    for e in coded:
        (segment,) = e.segments
        assert codes.target(e.industry_code).segment in {segment, *chain.ancestors(segment)}
