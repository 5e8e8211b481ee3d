"""The policy documents the chain files cite, so that a page shows a document's name, not its seed number.

The chain files cite sections as ``"000 一(三)"``: seed document 000, section 一(三)
(see /work/shared/seeds/README.md for the documents).
"""

from __future__ import annotations

import re

POLICIES = {
    "000": "《松江区电子信息产业智能终端细分赛道高质量发展行动计划（2025-2027年）》（沪松府〔2024〕129号）",
    "001": "《松江区关于支持先进制造业高质量发展的若干意见》（沪松府〔2025〕146号）",
    "002": "《松江区先进制造业高质量发展“十四五”规划》（沪松府〔2021〕299号）",
    "003": "《关于加快推进松江区智能终端产业高质量发展的若干政策》（沪松经规〔2024〕4号）",
    "004": "《上海市促进智能终端产业高质量发展行动方案（2022-2025年）》编制说明",
}
_REFERENCE = re.compile(r"(?<![0-9])(00[0-9])(?![0-9])\s*")


def cite(source: str) -> str:
    """``"000 一(三); 003 一"`` -> the documents' names followed by their sections, joined by “；”."""
    parts = [_REFERENCE.sub(lambda found: POLICIES.get(found[1], found[0]), part.strip()) for part in source.split(";")]
    return "；".join(part for part in parts if part)
