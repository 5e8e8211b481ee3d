from branca.element import Element
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from chainmap.panorama_map import MapFrame, map_html
from service import geo
from service.auth.permissions import Action
from service.routes.pages import templates
from service.web.deps import SessionDep, SettingsDep, allowed, csrf_token

ACCOUNT_BOX = "<div style='position:absolute;z-index:1000;top:10px;left:50%;transform:translateX(-50%)'>{account}</div>"
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
    account = templates.get_template("_account.html").render(who=request.state.principal, csrf=csrf_token(request))
    fmap.get_root().html.add_child(Element(ACCOUNT_BOX.format(account=account)))
    return HTMLResponse(map_html(fmap))
