"""User-facing messages of the chemicals services (English msgids; Thai in the locale catalogue)."""

from django.utils.translation import gettext_lazy as _

MSG = {
    "required": _("This field is required."),
    "invalid_number": _("“%(value)s” is not a number."),
    "invalid_boolean": _("“%(value)s” is not yes or no."),
    "invalid_choice": _("“%(value)s” is not one of: %(choices)s."),
    "invalid_year": _(
        "The year %(value)s is out of range (give a C.E. year such as 2025 "
        "or a B.E. year such as 2568)."
    ),
    "not_a_list": _("Send a list of items."),
    "no_items": _("A declaration needs at least one item."),
    "cas_format": _("“%(value)s” is not a CAS number (digits in three groups, e.g. 7664-41-7)."),
    "cas_check_digit": _(
        "The CAS number %(value)s fails its check digit: check for a typing error."
    ),
    "cas_unknown": _("The CAS number %(value)s is not in the directory.%(suggest)s"),
    "name_unknown": _("No substance in the directory is called “%(value)s”: give its CAS number."),
    "name_ambiguous": _(
        "“%(value)s” matches several substances: %(candidates)s. "
        "Give the CAS number of the one you mean."
    ),
    "substance_or_mixture": _(
        "Give either a substance (CAS number or name) or a mixture, not both."
    ),
    "mixture_name": _("A mixture needs a name."),
    "mixture_categories": _("Classify the mixture in at least one Seveso category (e.g. H2, P5c)."),
    "category_unknown": _("“%(value)s” is not a Seveso hazard category."),
    "component_percent": _("A component's share is a percentage between 0 and 100."),
    "unit_unknown": _("“%(value)s” is not a unit we convert (use one of: %(units)s)."),
    "unit_missing": _("Give the unit of the quantity (kg, t, L, m3, m3_gas, Nm3)."),
    "negative": _("A quantity cannot be negative."),
    "too_large": _("“%(value)s” is too large to be recorded."),
    "not_positive": _("Must be more than zero."),
    "too_long": _("At most %(max)s characters."),
    "below_absolute_zero": _("A temperature cannot be below −273.15 °C."),
    "density_required": _("A volume needs the density (kg/m³) to be converted to a mass."),
    "conditions_required": _(
        "A volume of gas needs its temperature (°C) and pressure (kPa) to be converted to a mass."
    ),
    "molecular_weight_required": _(
        "The molecular weight of this substance is not known, so a gas volume "
        "cannot be converted: give the mass."
    ),
    "unit_error": _("The quantity cannot be converted: %(value)s."),
    "average_over_max": _("The average quantity cannot exceed the maximum quantity."),
    "container_over_max": _(
        "The largest container cannot hold more than the maximum quantity present."
    ),
    "outside_thailand": _("The coordinates (%(lat)s, %(lon)s) are not in Thailand."),
    "factory_taken": _("Factory %(value)s already has a storage site (%(site_code)s)."),
    "factory_not_found": _("No factory with the id %(value)s."),
    "factory_no_coordinates": _("The factory has no coordinates: give latitude and longitude."),
    "district_mismatch": _("District %(value)s is not in province %(province)s."),
    "unknown_province": _("No province with the code %(value)s."),
    "unknown_district": _("No district with the code %(value)s."),
    "unknown_operator": _("No operator organisation %(value)s."),
    "code_taken": _("The site code %(value)s is already used."),
    "not_a_gas_or_liquid": _("Give the physical state: solid, liquid, gas or liquefied gas."),
    "file_format": _("Upload a GeoJSON (.geojson, .json) or CSV (.csv) file."),
    "file_unreadable": _("The file cannot be read: %(value)s."),
    "no_rows": _("The file has no rows."),
    "receptor_kind": _("“%(value)s” is not a receptor kind (%(choices)s)."),
    "population": _("The population is a whole number of people, zero or more."),
    "not_a_point": _("Each feature needs a Point geometry."),
}

# The steps of `tiers.assess` as sentences (queries.explanation_lines fills the parameters).
EXPLAIN = {
    "item_not_dangerous": _("%(label)s: in no Seveso category and not a named substance."),
    "named_without_groups": _(
        "%(label)s: named substance (entry %(entry)s) with no category: it counts on its own, "
        "in no sum."
    ),
    "ignored_2pct": _(
        "%(label)s: %(quantity_t)s t is at most 2%% of %(threshold_t)s t (%(basis)s) and is "
        "declared unable to start a major accident: left out of the %(group)s sum "
        "(%(level)s tier)."
    ),
    "contribution": _(
        "%(label)s: %(quantity_t)s t ÷ %(threshold_t)s t (%(basis)s) = %(ratio)s in the "
        "%(group)s sum (%(level)s tier)."
    ),
    "direct": _(
        "%(label)s alone reaches the %(level)s-tier quantity of %(threshold_t)s t (%(basis)s)."
    ),
    "sum_qualifies": _("%(group)s sum for the %(level)s tier: %(value)s, 1 or more: qualifies."),
    "sum_below": _("%(group)s sum for the %(level)s tier: %(value)s, below 1."),
    "tier": _("Result: %(tier)s."),
}
GROUP_LABELS = {
    "health": _("health hazards"),
    "physical": _("physical hazards"),
    "environment": _("environmental hazards"),
    "other": _("other hazards"),
}
LEVEL_LABELS = {"lower": _("lower"), "upper": _("upper")}
TIER_LABELS = {
    "none": _("below the lower tier"),
    "lower": _("lower tier"),
    "upper": _("upper tier"),
}
