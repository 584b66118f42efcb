"""Region geometry and map layers as plain, testable functions (no Streamlit, no store).

Boundaries come from GISCO by themselves (:mod:`geo.fetch`: which files the regions need,
download into a cache folder with their sources, in a background thread; ``python -m geo fetch``
pre-loads a folder for an offline server).

Typical use on a page::

    boundaries = geo.load_boundaries(cache_dir)               # or None: points only
    matched, report = geo.match_regions(regions, boundaries)
    matched["score"] = matched["region_id"].map(scores)
    deck, legend = geo.choropleth_deck(matched, "score", countries=geo.countries(boundaries, regions))

or, layer by layer::

    regions_layers, legend = geo.region_layer(matched, "score")
    practices_layer, area_legend = geo.practice_layer(practices, regions)
    deck = geo.build_deck([geo.country_layer(countries), regions_layers, practices_layer],
                          bounds=geo.extent(matched))
    st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object")
"""

from geo.boundaries import discover_files, load_boundaries, load_label_points, pick_files, simplify
from geo.colours import (FIXED_BINS, NO_DATA_LABEL, NO_DATA_LINE_RGBA, NO_DATA_RGBA, bin_edges,
                         category_colours, colour_scale, first_item)
from geo.deck import (MAINLAND, TOOLTIPS, CompactDeck, build_deck, choropleth_deck, extent, outside,
                      payload_bytes, view_for)
from geo.labels import LABELS, label_layer, overlaps, place_labels
from geo.layers import (COUNTRIES, PRACTICES, REGION_POINTS, REGIONS, SELECTED, aggregate_points,
                        country_layer, locate_practices, point_layer, practice_layer, region_layer,
                        selected_layer, tooltip_fields)
from geo.match import MatchReport, countries, match_regions

__all__ = [
    "COUNTRIES", "CompactDeck", "FIXED_BINS", "LABELS", "MAINLAND", "NO_DATA_LABEL", "NO_DATA_LINE_RGBA",
    "NO_DATA_RGBA", "PRACTICES", "REGIONS", "REGION_POINTS", "SELECTED", "TOOLTIPS",
    "MatchReport", "aggregate_points", "bin_edges", "build_deck", "category_colours", "choropleth_deck",
    "colour_scale", "countries", "country_layer", "discover_files", "extent", "first_item",
    "label_layer", "load_boundaries", "load_label_points", "locate_practices", "match_regions",
    "outside", "overlaps", "payload_bytes", "pick_files", "place_labels", "point_layer", "practice_layer",
    "region_layer", "selected_layer", "simplify", "tooltip_fields", "view_for",
]
