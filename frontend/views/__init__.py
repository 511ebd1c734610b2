"""Page views, one module per user area (dispatch, technician, sales, billing, reports)."""
