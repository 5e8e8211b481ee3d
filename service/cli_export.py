"""`chainmap export`: the enterprise directory as Excel or GeoJSON, filtered like the map."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

from service.cli_paths import fail, writable_file

export_app = typer.Typer(help="Export stored data as files to send", no_args_is_help=True)


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    GEOJSON = "geojson"


@export_app.command("enterprises")
def enterprises(
    out: Path = typer.Option(..., help="File to write", callback=writable_file),
    file_format: ExportFormat = typer.Option(ExportFormat.XLSX, "--format", help="xlsx or geojson"),
    segment: str | None = typer.Option(None, help="Segment code, e.g. ST.CHIP (segments below it included)"),
    town: str | None = typer.Option(None, help="Town or street, e.g. 洞泾镇"),
    park: str | None = typer.Option(None, help="Park name"),
    label: str | None = typer.Option(None, help="Label, e.g. 专精特新 or specialized"),
    chain: str | None = typer.Option(None, "--chain", help="Chain code (default: CHAINMAP_CHAIN)"),
) -> None:
    """Enterprises with segments, town, park, labels, revenue and position, filtered like the map."""
    from chainmap.records import InvalidRecord
    from chainmap.taxonomy import load_named_chain
    from service import exports
    from service.cli import _session, _settings

    settings = _settings()
    spec = load_named_chain(chain or settings.chain)
    with _session(settings) as session:
        try:
            where = exports.checked_filter(
                session=session, chain=spec, segment=segment, town=town, park=park, label=label
            )
        except InvalidRecord as exc:
            fail(str(exc))
        records = exports.selected(session=session, chain=spec, where=where)
    if file_format is ExportFormat.GEOJSON:
        body = exports.enterprises_geojson(spec, records, where, amounts=True)
        out.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    else:
        exports.write_enterprises_excel(spec, records, where, out, amounts=True)
    typer.echo(f"已写出 {len(records):,} 家企业：{out}（{where.describe()}）")
