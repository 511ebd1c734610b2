"""Vector tile endpoints: `/tiles/` (the layer index) and `/tiles/<layer>/<z>/<x>/<y>.mvt`.

Plain DRF views (session or token auth, JSON errors instead of login redirects,
since map libraries fetch tiles with fetch()); the SQL lives in gis.tiles.
"""
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import tiles

MVT_CONTENT_TYPE = "application/vnd.mapbox-vector-tile"


def _etag_matches(request, etag):
    header = request.headers.get("If-None-Match", "")
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in candidates or "*" in candidates


class TileIndexView(APIView):
    """The layers the user may see: geometry, zooms, aggregation zoom, filters and URL template."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(tiles.tile_index(request.user))


class TileView(APIView):
    """One Mapbox Vector Tile; 204 when empty, 304 when the client's ETag is current."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.PATH)
                    for name in ("layer", "z", "x", "y")],
        responses={(200, MVT_CONTENT_TYPE): OpenApiTypes.BINARY, 204: None, 304: None,
                   400: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request, layer, z, x, y):
        try:
            layer = tiles.layer_named(layer, request.user)
            tile = tiles.Tile(*tiles.parse_tile(z, x, y))
            filters = tiles.parse_filters(layer, request.query_params)
        except tiles.TileError as error:
            return Response(error.detail, status=error.status)
        etag = tiles.tile_etag(layer, tile, filters, request.user)
        if _etag_matches(request, etag):
            response = HttpResponse(status=304)
        else:
            body = tiles.render_tile(layer, tile, filters, request.user, etag)
            response = HttpResponse(body, content_type=MVT_CONTENT_TYPE, status=200 if body else 204)
        response["ETag"] = etag
        response["Cache-Control"] = layer.cache_control
        response["Vary"] = "Cookie, Authorization"
        return response
