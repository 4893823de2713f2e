"""The attributes stage: remote-sensing attributes of each landmark (Sentinel-2 statistics through
the Statistical API, optional DEM / land cover / LST collections, ERA5 climate normals, and
attributes computed from the image), with templated description texts."""
