from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from chainmap.panorama_map import MapFrame, map_html
from service import geo
from service.auth.permissions import Action
from service.web.deps import SessionDep, SettingsDep, allowed

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
    return HTMLResponse(map_html(fmap))
