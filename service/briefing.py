"""The printable briefing (产业链简报): cover, chain diagram, strong and weak segments, gaps with 招商
candidates, park focus, a map of the district, sources. HTML from a template, printed to A4 by WeasyPrint.

It carries no revenue or contract amounts, so it may go to everyone allowed to export it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlmodel import Session

from chainmap.diagram import chain_svg
from chainmap.map_snapshot import map_snapshot_svg
from chainmap.panorama import Grade, Panorama, SegmentStrength, build_panorama
from chainmap.taxonomy import Chain
from geodata import LOCAL_CITY
from service import geo
from service.panorama import members_from_db

TEMPLATES = Path(__file__).parent / "templates"
STRONG_SHOWN = 10  # the strongest segments listed by name
_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))


@dataclass(frozen=True)
class Briefing:
    chain: Chain
    panorama: Panorama
    diagram_svg: str
    map_svg: str
    located: int  # local enterprises drawn on the map
    day: dt.date

    @property
    def strong(self) -> list[SegmentStrength]:
        graded = [s for s in self.panorama.graded() if s.grade is Grade.STRONG]
        return sorted(graded, key=lambda s: -s.enterprises)[:STRONG_SHOWN]

    @property
    def weak(self) -> list[SegmentStrength]:
        graded = [s for s in self.panorama.graded() if s.grade is not Grade.STRONG]
        return sorted(graded, key=lambda s: (s.grade is Grade.WEAK, s.enterprises))

    def count(self, grade: Grade) -> int:
        return sum(1 for s in self.panorama.graded() if s.grade is grade)


def briefing_from_db(*, session: Session, chain: Chain, day: dt.date | None = None) -> Briefing:
    enterprises = members_from_db(session=session, chain_code=chain.code)
    panorama = build_panorama(chain, enterprises)
    located = sum(1 for e in enterprises if e.city == LOCAL_CITY and e.lon is not None)
    snapshot = map_snapshot_svg(chain, enterprises, geo.town_areas(session))
    return Briefing(chain, panorama, chain_svg(chain, panorama), snapshot, located, day or dt.date.today())


def briefing_html(briefing: Briefing) -> str:
    return _environment.get_template("brief.html").render(b=briefing, Grade=Grade, district=LOCAL_CITY)


def briefing_pdf(briefing: Briefing) -> bytes:
    """A4 PDF (needs Pango and a CJK font such as fonts-noto-cjk; see scripts/system-deps.sh)."""
    from weasyprint import HTML

    pdf = HTML(string=briefing_html(briefing), base_url=str(TEMPLATES)).write_pdf()
    assert pdf is not None
    return pdf
