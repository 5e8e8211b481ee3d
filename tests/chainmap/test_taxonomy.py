from pathlib import Path

import pytest

from chainmap.taxonomy import ChainFileError, Tier, available_chains, load_chain

GOOD = """\
code: tiny
name: 小链
name_en: Tiny
segments:
  - {code: A, name: 芯片, name_en: Chips, tier: upstream, source: "000 二(八)"}
  - {code: B, name: 模组, name_en: Modules, tier: midstream, source: "000 二(八)"}
  - {code: C, name: 终端, name_en: Terminals, tier: downstream, source: "000 二(五)"}
edges:
  - {from: [A], to: [B, C], why: 主控}
  - {from: B, to: C, why: 联网}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_smart_terminal_chain_is_rich_and_consistent(chain):
    assert 40 <= len(chain.segments) <= 80
    assert len(chain.edges) > 100
    assert {r.name for r in chain.roots} >= {
        "智能机器人",
        "信创终端",
        "虚拟现实交互终端",
        "智能家居",
        "AI+终端",
        "智能仪器仪表",
        "卫星互联网终端",
        "软硬件配套",
    }
    for segment in chain.segments.values():
        assert segment.name and segment.name_en and segment.source and segment.keywords, segment.code
    for edge in chain.edges:
        assert chain.segments[edge.supplier].tier.rank <= chain.segments[edge.buyer].tier.rank
        assert edge.why


def test_mcu_supplies_smart_home_and_reducers_supply_robots(chain):
    pairs = {(e.supplier, e.buyer) for e in chain.edges}
    assert ("ST.CHIP.MCU", "ST.HOME.APP") in pairs
    assert ("ST.PART.REDUCER", "ST.ROB.IND") in pairs
    assert chain.root_of("ST.CHIP.MCU").code == "ST.SUP"
    assert "ST.ROB.EMB" in chain.descendants("ST.ROB")


def test_park_plan_quotes_the_action_plan(chain):
    plans = {p.park: p.focus for p in chain.park_focus}
    assert plans["洞泾人工智能产业基地"] == ("ST.ROB",)
    assert set(plans["临港松江科技城"]) == {"ST.VR", "ST.SAT"}


def test_every_shipped_chain_loads():
    for path in available_chains().values():
        assert load_chain(path).segments


def test_a_small_valid_file_expands_edge_groups(tmp_path):
    tiny = load_chain(_write(tmp_path, GOOD))
    assert [(e.supplier, e.buyer) for e in tiny.edges] == [("A", "B"), ("A", "C"), ("B", "C")]
    assert tiny.segments["B"].tier is Tier.MIDSTREAM


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("to: [B, C]", "to: [B, X]"), 9, "edges[0].to：未知环节代码“X”"),
        (("{code: B,", "{code: A,"), 6, "segments[1].code：环节代码“A”重复"),
        (("{from: B, to: C", "{from: C, to: A"), 10, "供货方向逆向"),
        (("tier: midstream", "tier: middle"), 6, "未知层级“middle”"),
        (("why: 联网", "weight: 0"), 10, "权重应在"),
    ],
)
def test_malformed_files_name_file_line_key_and_problem(tmp_path, change, line, message):
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ChainFileError) as caught:
        load_chain(path)
    assert caught.value.line == line
    assert f"tiny.yaml 第{line}行" in str(caught.value)
    assert message in str(caught.value)


def test_a_cycle_within_one_tier_is_refused(tmp_path):
    text = GOOD.replace("tier: midstream", "tier: upstream") + "  - {from: B, to: A, why: 回流}\n"
    with pytest.raises(ChainFileError, match="存在环：A → B → A"):
        load_chain(_write(tmp_path, text))


def test_broken_yaml_reports_its_line(tmp_path):
    with pytest.raises(ChainFileError, match="第5行"):
        load_chain(_write(tmp_path, GOOD.replace("segments:", "segments: [")))


def test_the_2_plus_4_system_is_held_as_data():
    chains = {code: load_chain(path) for code, path in available_chains().items()}
    assert set(chains) >= {
        "smart_terminal",
        "computing_services",
        "satellite_internet",
        "new_energy_facilities",
        "instruments",
        "advanced_materials",
        "life_health",
        "fashion_consumer",
        "culture_tourism_film",
    }
    for chain in chains.values():
        assert chain.roots and all(chain.children.get(root.code) for root in chain.roots), chain.code
