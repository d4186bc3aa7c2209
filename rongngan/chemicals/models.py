from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rongngan.accounts.models import Organisation
from rongngan.core.models import District, Province, Subdistrict
from rongngan.registry.models import Factory


class SiteKind(models.TextChoices):
    # A factory under the Factory Act, or the storage place of a business licensed under the
    # Hazardous Substance Act B.E. 2535 that is not a factory (a warehouse, a depot, a cold store).
    FACTORY = "factory", _("Factory")
    HAZMAT_STORAGE = "hazmat_storage", _("Hazardous-substance storage site")


class SiteStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Surroundings(models.TextChoices):
    # EPA OCA Guidance 4.2: "urban" means many obstacles (buildings, trees) in the immediate area;
    # "rural" means open country. Unknown is treated as rural for the zone (the larger distance).
    UNKNOWN = "", _("Not stated")
    URBAN = "urban", _("Urban (many obstacles nearby)")
    RURAL = "rural", _("Rural (open country)")


class StorageSite(models.Model):
    """A place where hazardous substances are kept: what inventories, grades and zones hang on.

    Province, district and operator are held on the site itself (copied from the factory for a
    factory site) so that one scoping rule (`chemicals.scoping`) serves both kinds.
    """

    code = models.CharField(_("site code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    factory = models.OneToOneField(
        Factory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="storage_site",
        verbose_name=_("factory"),
    )
    operator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="storage_sites",
        verbose_name=_("operator"),
    )
    name_th = models.CharField(_("name (Thai)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, verbose_name=_("province"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, verbose_name=_("district"))
    subdistrict = models.ForeignKey(
        Subdistrict, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("subdistrict")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    status = models.CharField(
        _("status"), max_length=10, choices=SiteStatus.choices, default=SiteStatus.ACTIVE
    )
    registered_on = models.DateField(_("registered on"))
    # For the worst-case zone (EPA OCA): stated per site by an officer or the operator.
    surroundings = models.CharField(
        _("surroundings"), max_length=10, choices=Surroundings.choices, default="", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("storage site")
        indexes = [
            models.Index(fields=["province", "status"]),
            models.Index(fields=["district"]),
            models.Index(fields=["operator"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    latitude__gte=5, latitude__lte=21, longitude__gte=97, longitude__lte=106
                ),
                name="storage_site_coordinates_in_thailand_box",
            ),
            models.CheckConstraint(
                condition=Q(kind="factory", factory__isnull=False)
                | Q(kind="hazmat_storage", factory__isnull=True),
                name="storage_site_factory_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_th} ({self.code})"


# ------------------------------------------------------------------------------------------------
# The substance directory, inventories and computed hazard (issue 4 items 1-5). StorageSite above
# is shared with the supervision app; what follows is owned by this app's services.

KG_PER_TONNE = 1000


class Substance(models.Model):
    """One catalogue entry, loaded from `chemicals.catalogue` (the rules data, with sources).

    Rows are refreshed by `load_chemicals` (or the data migration); `catalogue_version` says
    which version of the catalogue wrote the row, so a stale directory is visible.
    """

    cas = models.CharField(_("CAS number"), max_length=12, unique=True)
    un_number = models.CharField(_("UN number"), max_length=8, blank=True, db_index=True)
    name_en = models.CharField(_("name (English)"), max_length=255)
    name_th = models.CharField(_("name (Thai)"), max_length=255, blank=True)
    synonyms = models.JSONField(_("synonyms"), default=list, blank=True)
    formula = models.CharField(_("formula"), max_length=60, blank=True)
    molecular_weight = models.DecimalField(
        _("molecular weight (g/mol)"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    physical_state = models.CharField(_("physical state"), max_length=20, blank=True)
    liquefied_gas = models.BooleanField(_("liquefied gas"), default=False)
    density_kg_m3 = models.DecimalField(
        _("density (kg/m³)"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    boiling_point_c = models.DecimalField(
        _("boiling point (°C)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    # [{"hazard_class", "category", "h_code"}]
    ghs = models.JSONField(_("GHS classification"), default=list, blank=True)
    pictograms = models.JSONField(_("pictograms"), default=list, blank=True)
    signal_word = models.CharField(_("signal word"), max_length=20, blank=True)
    thai_hs_type = models.CharField(_("Hazardous Substance Act type"), max_length=10, blank=True)
    # [{"list", "entry_no", "name_th", "name_en", "hs_type", "agency_th", "agency_en",
    #   "condition_th", "condition_en", "source", "pages"}] (catalogue.HsListing.as_dict)
    thai_hs_listings = models.JSONField(
        _("Hazardous Substance Act listings"), default=list, blank=True
    )
    seveso_categories = models.JSONField(_("Seveso categories"), default=list, blank=True)
    seveso_named_entry = models.CharField(_("Seveso named entry"), max_length=20, blank=True)
    emergency_en = models.TextField(_("emergency advice (English)"), blank=True)
    emergency_th = models.TextField(_("emergency advice (Thai)"), blank=True)
    erg_guide = models.CharField(_("ERG guide"), max_length=10, blank=True)
    source = models.TextField(_("source"), blank=True)
    # RMP (40 CFR 68.130) threshold and OCA toxic endpoint, when listed.
    rmp_kind = models.CharField(_("RMP list"), max_length=20, blank=True)
    rmp_threshold_kg = models.DecimalField(
        _("RMP threshold (kg)"), max_digits=20, decimal_places=8, null=True, blank=True
    )
    toxic_endpoint_mg_l = models.DecimalField(
        _("toxic endpoint (mg/L)"), max_digits=12, decimal_places=6, null=True, blank=True
    )
    search_text = models.TextField(editable=False, default="")
    catalogue_version = models.CharField(_("catalogue version"), max_length=40)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("substance")

    def __str__(self) -> str:
        return f"{self.name_en} ({self.cas})"


class CatalogueLoad(models.Model):
    """Each load of the catalogue into the directory: which version, when, what changed."""

    version = models.CharField(max_length=40)
    loaded_at = models.DateTimeField(auto_now_add=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"{self.version} {self.loaded_at:%Y-%m-%d}"


class DeclarationSource(models.TextChoices):
    DECLARATION = "declaration", _("Operator's declaration")
    REFRIGERATION = "refrigeration_register", _("Ammonia refrigeration register")
    SEED = "seed", _("Demo data")


class Declaration(models.Model):
    """A site's inventory for one year. Yearly and versioned: a new declaration for the same year
    supersedes the current one (kept, linked by `superseded_by`); nothing is overwritten."""

    site = models.ForeignKey(
        StorageSite, on_delete=models.PROTECT, related_name="declarations", verbose_name=_("site")
    )
    year = models.PositiveSmallIntegerField(
        _("year (C.E.)"), help_text=_("Gregorian year; shown in Thai as B.E. (year + 543).")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current"), default=True)
    superseded_by = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    source = models.CharField(
        _("source"),
        max_length=30,
        choices=DeclarationSource.choices,
        default=DeclarationSource.DECLARATION,
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared at"))

    class Meta:
        ordering = ["site", "-year", "-version"]
        verbose_name = _("inventory declaration")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "year", "version"], name="declaration_site_year_version"
            ),
            models.UniqueConstraint(
                fields=["site", "year"],
                condition=Q(is_current=True),
                name="declaration_one_current_per_site_year",
            ),
        ]
        indexes = [models.Index(fields=["site", "is_current", "year"])]

    def __str__(self) -> str:
        return f"{self.site.code} {self.year_be} v{self.version}"

    @property
    def year_be(self) -> int:
        return self.year + 543


class PhysicalState(models.TextChoices):
    SOLID = "solid", _("Solid")
    LIQUID = "liquid", _("Liquid")
    GAS = "gas", _("Gas")
    LIQUEFIED_GAS = "liquefied_gas", _("Liquefied gas")


class StorageType(models.TextChoices):
    TANK = "tank", _("Fixed tank")
    PRESSURE_VESSEL = "pressure_vessel", _("Pressure vessel")
    REFRIGERATED = "refrigerated", _("Refrigerated tank")
    CYLINDER = "cylinder", _("Cylinders")
    DRUM = "drum", _("Drums or IBCs")
    BAG = "bag", _("Bags or sacks")
    WAREHOUSE = "warehouse", _("Packaged goods in a warehouse")
    PROCESS = "process", _("In process equipment")
    OTHER = "other", _("Other")


class InventoryItem(models.Model):
    """One substance or mixture on a declaration, as entered and converted to kilograms.

    `max_quantity` and `unit` keep what the declarant wrote; `max_kg` is the exact conversion
    (chemicals.units), and is what the hazard rules read (Seveso Note 4: maximum quantity present
    at any one time).
    """

    declaration = models.ForeignKey(
        Declaration, on_delete=models.PROTECT, related_name="items", verbose_name=_("declaration")
    )
    line = models.PositiveSmallIntegerField(_("line"))
    substance = models.ForeignKey(
        Substance,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inventory_items",
        verbose_name=_("substance"),
    )
    mixture_name = models.CharField(_("mixture name"), max_length=255, blank=True)
    # Seveso categories the declarant classified the mixture in (e.g. ["H2", "P5c"]).
    mixture_categories = models.JSONField(_("mixture categories"), default=list, blank=True)
    # [{"cas", "name", "percent"}] as declared
    mixture_components = models.JSONField(_("mixture components"), default=list, blank=True)
    physical_state = models.CharField(
        _("physical state"), max_length=20, choices=PhysicalState.choices
    )
    max_quantity = models.DecimalField(_("maximum quantity"), max_digits=20, decimal_places=6)
    unit = models.CharField(_("unit"), max_length=10)
    density_kg_m3 = models.DecimalField(
        _("density (kg/m³)"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    max_kg = models.DecimalField(_("maximum quantity (kg)"), max_digits=24, decimal_places=6)
    average_kg = models.DecimalField(
        _("average quantity (kg)"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    largest_container_kg = models.DecimalField(
        _("largest container (kg)"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    storage_type = models.CharField(
        _("storage type"), max_length=20, choices=StorageType.choices, blank=True
    )
    pressure_kpa = models.DecimalField(
        _("pressure (kPa absolute)"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    temperature_c = models.DecimalField(
        _("temperature (°C)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    location = models.CharField(_("location in the site"), max_length=255, blank=True)
    # Seveso Note 4 / 2% rule: declared as placed so that it cannot initiate a major accident.
    isolated = models.BooleanField(_("cannot initiate a major accident"), default=False)
    source = models.CharField(
        _("source"),
        max_length=30,
        choices=DeclarationSource.choices,
        default=DeclarationSource.DECLARATION,
    )

    class Meta:
        ordering = ["declaration", "line"]
        verbose_name = _("inventory item")
        constraints = [
            models.UniqueConstraint(fields=["declaration", "line"], name="inventory_item_line"),
            models.CheckConstraint(condition=Q(max_kg__gte=0), name="inventory_item_max_kg_gte_0"),
            models.CheckConstraint(
                condition=Q(substance__isnull=False) | ~Q(mixture_name=""),
                name="inventory_item_substance_or_mixture",
            ),
        ]

    def __str__(self) -> str:
        return self.substance.name_en if self.substance_id else self.mixture_name


class Tier(models.TextChoices):
    NONE = "none", _("Below the lower tier")
    LOWER = "lower", _("Lower tier")
    UPPER = "upper", _("Upper tier")


class SiteHazard(models.Model):
    """The computed hazard status of a site (a cache: rebuilt from the current declaration and
    the rules by `hazard_recompute`; never edited by hand). Location fields are copied from the
    site so the map and the area layers read one table."""

    site = models.OneToOneField(
        StorageSite, primary_key=True, on_delete=models.CASCADE, related_name="hazard"
    )
    declaration = models.ForeignKey(
        Declaration, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.NONE)
    # the largest of the three Seveso sums at the lower-tier thresholds (1 = lower tier reached)
    hazard_ratio = models.FloatField(_("hazard ratio"), default=0)
    sums = models.JSONField(_("sums"), default=dict)
    contributions = models.JSONField(_("contributions"), default=list)
    explanation = models.JSONField(_("explanation"), default=list)
    rmp_crossed = models.JSONField(_("RMP thresholds crossed"), default=list)
    # what the public may see of an upper-tier site: hazard classes and emergency advice only
    public_substances = models.JSONField(default=list)
    zone_radius_km = models.DecimalField(
        _("zone radius (km)"), max_digits=9, decimal_places=3, null=True, blank=True
    )
    zone_cas = models.CharField(_("zone substance (CAS)"), max_length=12, blank=True)
    zone_substance = models.CharField(_("zone substance"), max_length=255, blank=True)
    zone_method = models.TextField(_("zone method"), blank=True)
    zone_setting = models.CharField(_("zone setting"), max_length=10, blank=True)
    zone_details = models.JSONField(_("zone details"), default=dict, blank=True)
    province_id = models.CharField(max_length=2, db_index=True)
    district_id = models.CharField(max_length=4, db_index=True)
    h3_7 = models.CharField(max_length=16, db_index=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    item_count = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(_("computed at"))
    catalogue_version = models.CharField(_("catalogue version"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("site hazard")
        indexes = [models.Index(fields=["tier"])]

    def __str__(self) -> str:
        return f"{self.site_id}: {self.tier}"


class ReceptorKind(models.TextChoices):
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital or clinic")
    COMMUNITY = "community", _("Community")
    ELDERLY = "elderly_care", _("Elderly or child care")
    OTHER = "other", _("Other")


class ReceptorLayer(models.Model):
    """A set of sensitive receptors uploaded together (GeoJSON or CSV), all or nothing."""

    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    source_file = models.CharField(_("file"), max_length=255, blank=True)
    synthetic = models.BooleanField(_("synthetic (demo) data"), default=False)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("receptor layer")

    def __str__(self) -> str:
        return self.name


class Receptor(models.Model):
    layer = models.ForeignKey(
        ReceptorLayer, on_delete=models.CASCADE, related_name="receptors", verbose_name=_("layer")
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=ReceptorKind.choices)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        ordering = ["layer", "name"]
        verbose_name = _("receptor")
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return self.name


class AreaLevel(models.TextChoices):
    H3_7 = "h3-7", _("H3 cell (resolution 7)")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")


class AreaRisk(models.Model):
    """The area risk score of one area (see docs/chemicals-guide.md for the formula)."""

    level = models.CharField(_("level"), max_length=10, choices=AreaLevel.choices)
    key = models.CharField(_("area"), max_length=16)
    name_th = models.CharField(max_length=255, blank=True)
    name_en = models.CharField(max_length=255, blank=True)
    hazard = models.FloatField(_("hazard component"))
    proximity = models.FloatField(_("proximity component"))
    score = models.FloatField(_("score"))
    percentile = models.FloatField(_("national percentile"))
    band = models.PositiveSmallIntegerField(_("band"))
    sites = models.PositiveIntegerField(_("sites"))
    lower_sites = models.PositiveIntegerField(_("lower-tier sites"))
    upper_sites = models.PositiveIntegerField(_("upper-tier sites"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["level", "key"]
        verbose_name = _("area risk")
        constraints = [models.UniqueConstraint(fields=["level", "key"], name="area_risk_level_key")]

    def __str__(self) -> str:
        return f"{self.level} {self.key}"


class AreaLayer(models.Model):
    """The serialized GeoJSON of one area level, written by `areas_recompute` and served as is."""

    level = models.CharField(max_length=10, choices=AreaLevel.choices, unique=True)
    body = models.BinaryField()
    gzipped = models.BinaryField()
    etag = models.CharField(max_length=64)
    # The public's version: each area's level (band, percentile, name) without the score, the
    # hazard ratio or site counts, which in a cell holding one site would describe that site.
    public_body = models.BinaryField(default=b"")
    public_gzipped = models.BinaryField(default=b"")
    public_etag = models.CharField(max_length=64, default="")
    features = models.PositiveIntegerField()
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.level
