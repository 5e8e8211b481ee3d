from branca.element import Element, Figure
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from chainmap.panorama_map import MapFrame, map_html
from service import geo
from service.auth.permissions import Action
from service.routes.pages import templates
from service.web.deps import SessionDep, SettingsDep, allowed

# The app's stylesheet and header above the map, which fills the rest of the window.
PAGE_STYLE = (
    '<link rel="stylesheet" href="/assets/app.css">'
    "<style>body{display:flex;flex-direction:column;height:100%}"
    ".folium-map{flex:1 1 auto;height:auto!important;min-height:0}</style>"
)
router = APIRouter(tags=["geo"], dependencies=[allowed(Action.VIEW_PUBLIC)])


@router.get("/api/geo/towns", summary="街镇范围（GeoJSON；official=false 为示意范围，非行政边界）")
def towns(session: SessionDep) -> dict:
    return geo.areas_geojson(geo.town_areas(session))


@router.get("/map", response_class=HTMLResponse, include_in_schema=False)
def panorama_map(
    request: Request, session: SessionDep, settings: SettingsDep, tiles: str | None = None
) -> HTMLResponse:
    try:
        frame = MapFrame(tiles or settings.tiles, settings.tianditu_key)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    fmap = geo.map_for(session=session, chain=request.app.state.chain, frame=frame)
    root = fmap.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(Element(PAGE_STYLE), name="app_style")
    header = templates.TemplateResponse(request, "_header.html").body  # the shared header, as on every page
    root.html.add_child(Element(bytes(header).decode("utf-8")), name="app_header")
    return HTMLResponse(map_html(fmap))
