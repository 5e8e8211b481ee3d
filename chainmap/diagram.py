"""The chain diagram governments draw: tiers left to right, a box per segment coloured by strength.

``chain_svg`` returns one self-contained SVG document. Each box carries a ``<title>``
(shown on hover) and ``data-code``; each supply edge is a path with ``data-from`` and
``data-to``, so a page can highlight the edges of the box under the pointer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from chainmap.panorama import Grade, Panorama, SegmentStrength
from chainmap.taxonomy import Chain, SupplyEdge, Tier

FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif"
FILL = {Grade.STRONG: "#c8e6c9", Grade.WEAK: "#ffe0b2", Grade.MISSING: "#ffcdd2", None: "#e3f2fd"}
STROKE = {Grade.STRONG: "#2e7d32", Grade.WEAK: "#ef6c00", Grade.MISSING: "#c62828", None: "#1565c0"}
BOX_W, BOX_H, GAP_X, GAP_Y = 196, 62, 22, 10
TIER_GAP, TOP, LEFT, MAX_ROWS = 46, 118, 24, 12


@dataclass(frozen=True)
class _Box:
    segment: SegmentStrength
    x: float
    y: float


def _layout(chain: Chain, panorama: Panorama) -> tuple[dict[str, _Box], list[tuple[Tier, float, float]]]:
    """Boxes by code, and per tier its column's x and width."""
    boxes: dict[str, _Box] = {}
    columns: list[tuple[Tier, float, float]] = []
    x = LEFT
    for tier in Tier:
        leaves = [s for s in chain.leaves if s.tier is tier]
        if not leaves:
            continue
        n_cols = math.ceil(len(leaves) / MAX_ROWS)
        rows = math.ceil(len(leaves) / n_cols)
        for i, segment in enumerate(leaves):
            col, row = divmod(i, rows)
            boxes[segment.code] = _Box(
                panorama.segments[segment.code], x + col * (BOX_W + GAP_X), TOP + row * (BOX_H + GAP_Y)
            )
        width = n_cols * BOX_W + (n_cols - 1) * GAP_X
        columns.append((tier, x, width))
        x += width + TIER_GAP
    return boxes, columns


def _text(
    x: float, y: float, content: str, size: int, weight: str = "normal", fill: str = "#222", anchor: str = "start"
) -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
        f'text-anchor="{anchor}">{escape(content)}</text>'
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scenario_lines(chain: Chain, panorama: Panorama, code: str) -> tuple[str, str]:
    """A scenario is a demand, not a supplier: its box counts the local enterprises of the segments serving it."""
    sources = [e.supplier for e in chain.edges if e.buyer == code]
    serving = sum(panorama.segments[c].enterprises for c in sources)
    return f"可供给企业 {serving} · {len(sources)} 个环节", _clip(
        "供给：" + "、".join(chain.segments[c].name for c in sources), 16
    )


def _box(box: _Box, chain: Chain, panorama: Panorama) -> str:
    s = box.segment
    parent = chain.segments[s.parent].name if s.parent else ""
    counts = f"企业 {s.enterprises}" + (f" · 链主 {s.chain_leaders}" if s.chain_leaders else "")
    counts += f" · 专精特新 {s.specialized}" if s.specialized else ""
    leader = _clip("龙头：" + s.top[0].name, 16) if s.top else "本地暂无企业"
    if s.tier is Tier.SCENARIO:
        counts, leader = _scenario_lines(chain, panorama, s.code)
    grade = s.grade.label if s.grade else "应用场景"
    tooltip = f"{s.name}（{s.code}，{grade}）\n{counts}\n" + "\n".join(t.name for t in s.top)
    return "".join(
        (
            f'<g class="segment" data-code="{s.code}" data-grade="{s.grade or "scenario"}">',
            f"<title>{escape(tooltip)}</title>",
            f'<rect x="{box.x}" y="{box.y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{FILL[s.grade]}" '
            f'stroke="{STROKE[s.grade]}" stroke-width="1.2"/>',
            _text(box.x + 8, box.y + 18, _clip(s.name, 11), 14, "bold"),
            _text(box.x + BOX_W - 8, box.y + 18, _clip(parent, 7), 10, fill="#666", anchor="end"),
            _text(box.x + 8, box.y + 36, counts, 11, fill="#333"),
            _text(box.x + 8, box.y + 53, leader, 11, fill="#555"),
            "</g>",
        )
    )


def _edge(chain_edge: SupplyEdge, boxes: dict[str, _Box]) -> str:
    a, b = boxes[chain_edge.supplier], boxes[chain_edge.buyer]
    x1, y1, x2, y2 = a.x + BOX_W, a.y + BOX_H / 2, b.x, b.y + BOX_H / 2
    if x2 <= x1:  # same column: leave from the right, come back in from the right
        x2 = b.x + BOX_W
        bend = x1 + 40
        d = f"M{x1:.0f},{y1:.0f} C{bend:.0f},{y1:.0f} {bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
    else:
        mid = (x1 + x2) / 2
        d = f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
    return (
        f'<path class="edge" data-from="{chain_edge.supplier}" data-to="{chain_edge.buyer}" d="{d}" fill="none" '
        f'stroke="#607d8b" stroke-opacity="0.13" stroke-width="{0.6 + chain_edge.weight:.1f}">'
        f"<title>{escape(chain_edge.why)}</title></path>"
    )


def chain_svg(chain: Chain, panorama: Panorama) -> str:
    boxes, columns = _layout(chain, panorama)
    width = columns[-1][1] + columns[-1][2] + LEFT
    height = max(box.y for box in boxes.values()) + BOX_H + 24
    subtitle = " ".join((*panorama.notes, panorama.rule.describe()))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family={quoteattr(FONT)}>',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        _text(LEFT, 34, f"{chain.name}全景图（松江区）", 24, "bold"),
        _text(LEFT, 58, subtitle, 12, fill="#555"),
    ]
    legend_x = width - LEFT - 4 * 92
    for i, (grade, label) in enumerate(
        ((Grade.STRONG, "强"), (Grade.WEAK, "弱"), (Grade.MISSING, "缺失"), (None, "应用场景"))
    ):
        x = legend_x + i * 92
        parts.append(
            f'<rect x="{x}" y="22" width="16" height="16" rx="3" fill="{FILL[grade]}" stroke="{STROKE[grade]}"/>'
        )
        parts.append(_text(x + 22, 35, label, 12))
    for tier, x, w in columns:
        parts.append(f'<rect x="{x - 8}" y="{TOP - 40}" width="{w + 16}" height="28" rx="4" fill="#37474f"/>')
        parts.append(_text(x + w / 2, TOP - 21, tier.label, 15, "bold", "#ffffff", "middle"))
    parts.append('<g class="edges">')
    parts += [_edge(edge, boxes) for edge in chain.edges]
    parts.append("</g>")
    parts += [_box(box, chain, panorama) for box in boxes.values()]
    parts.append("</svg>")
    return "\n".join(parts)
