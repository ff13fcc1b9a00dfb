"""Reference data in the database, from the one source the pipeline reads: the gazetteer's divisions
(``ingest.gazetteer``) into ``Place``, the starting taxonomy (``ingest.taxonomy``) into ``Practice`` and the
starting indicators (``ingest.indicators``) into ``Indicator``.

``load_reference_data`` is idempotent: run twice, it changes nothing the second time. It runs after
every ``migrate`` (post_migrate, see apps.py) and from ``make run``, and by hand as
``manage.py load_reference_data``, so that an upgrade of the gazetteer package brings its new
codes into the database instead of leaving the pipeline's places with no row to resolve to.

Places follow the gazetteer: new divisions are added, renamed or regrouped ones updated, and one
the gazetteer no longer lists is deleted unless a case still points to it (then it is kept and
reported). Practices and indicators belong to the curators once loaded: a starting one is added only
when neither its slug nor its name is in the table, and an existing one is never changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from ingest import gazetteer, indicators, taxonomy

LEVELS = (gazetteer.PROVINCE, gazetteer.CITY, gazetteer.DISTRICT)
PLACE_FIELDS = ("name", "short_name", "level", "parent_id")


@dataclass
class Loaded:
    places_added: int = 0
    places_updated: int = 0
    places_removed: int = 0
    places_kept: list[str] = field(default_factory=list)  # retired codes a case still points to
    practices_added: int = 0
    indicators_added: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.places_added or self.places_updated or self.places_removed or self.practices_added
                    or self.indicators_added)

    def summary(self) -> str:
        text = (f"地区：新增 {self.places_added}，更新 {self.places_updated}，删除 {self.places_removed}；"
                f"实践：新增 {self.practices_added}；比较指标：新增 {self.indicators_added}")
        if self.places_kept:
            text += f"。已不在区划表中、但仍有案例引用而保留的地区：{'、'.join(self.places_kept)}"
        return text


def load_reference_data(
    place_model=None, practice_model=None, case_model=None, using: str = "default", indicator_model=None
) -> Loaded:
    """Upsert the places, the starting practices and the starting indicators. The models may be a migration state's."""
    from . import models

    if place_model is None:  # the live models; a migration state passes its own (perhaps without Indicator)
        indicator_model = indicator_model or models.Indicator
    place_model = place_model or models.Place
    practice_model = practice_model or models.Practice
    case_model = case_model or models.Case
    loaded = Loaded()
    _load_places(place_model, case_model, using, loaded)
    _load_practices(practice_model, using, loaded)
    if indicator_model is not None:
        _load_indicators(indicator_model, using, loaded)
    return loaded


def _load_places(Place, Case, using: str, loaded: Loaded) -> None:
    places = Place.objects.using(using)
    existing = {p.code: p for p in places.only("pk", "code", *PLACE_FIELDS)}
    ids = {code: p.pk for code, p in existing.items()}
    divisions = gazetteer.divisions()  # parents before children
    for level in LEVELS:
        new, changed = [], []
        for d in divisions:
            if d.level != level:
                continue
            values = {"name": d.name, "short_name": d.short_name, "level": d.level,
                      "parent_id": ids[d.parent_code] if d.parent_code else None}
            place = existing.get(d.code)
            if place is None:
                new.append(Place(code=d.code, **values))
            elif any(getattr(place, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(place, name, value)
                changed.append(place)
        places.bulk_update(changed, PLACE_FIELDS, batch_size=500)
        places.bulk_create(new, batch_size=500)
        if any(p.pk is None for p in new):  # a backend that does not return keys from bulk_create
            ids.update(places.filter(code__in=[p.code for p in new]).values_list("code", "pk"))
        else:
            ids.update((p.code, p.pk) for p in new)
        loaded.places_added += len(new)
        loaded.places_updated += len(changed)
    _remove_retired(Place, Case, using, {d.code for d in divisions}, loaded)


def _remove_retired(Place, Case, using: str, listed: set[str], loaded: Loaded) -> None:
    """Delete the places the gazetteer no longer lists, children first, unless a case points to one."""
    places = Place.objects.using(using)
    retired = {pk: code for pk, code in places.exclude(code__in=listed).values_list("pk", "code")}
    if not retired:
        return
    used = set()
    for column in ("place_id", "province_id", "city_id"):
        used.update(Case.objects.using(using).filter(**{f"{column}__in": list(retired)})
                    .values_list(column, flat=True))
    for level in reversed(LEVELS):
        candidates = places.filter(pk__in=[pk for pk in retired if pk not in used], level=level)
        removable = candidates.filter(~Q(pk__in=places.filter(parent__isnull=False).values("parent_id")))
        loaded.places_removed += removable.delete()[1].get(Place._meta.label, 0)
    loaded.places_kept = sorted(places.filter(pk__in=list(retired)).values_list("code", flat=True))


def _load_practices(Practice, using: str, loaded: Loaded) -> None:
    practices = Practice.objects.using(using)
    slugs = set(practices.values_list("slug", flat=True))
    names = set(practices.values_list("name", flat=True))
    new = [Practice(name=name, slug=slug, synonyms=list(synonyms), description=description)
           for name, slug, synonyms, description in taxonomy.PRACTICES
           if slug not in slugs and name not in names]
    practices.bulk_create(new)
    loaded.practices_added = len(new)


def _load_indicators(Indicator, using: str, loaded: Loaded) -> None:
    rows = Indicator.objects.using(using)
    slugs = set(rows.values_list("slug", flat=True))
    names = set(rows.values_list("name", flat=True))
    new = [Indicator(name=i.name, slug=i.slug, unit_family=i.family, synonyms=list(i.synonyms))
           for i in indicators.INDICATORS if i.slug not in slugs and i.name not in names]
    rows.bulk_create(new)
    loaded.indicators_added = len(new)


def load_after_migrate(sender, app_config=None, verbosity=1, using="default", apps=None, **kwargs) -> None:
    """post_migrate: load the reference data into the state the migrations left (none when cases is unmigrated)."""
    if apps is None:
        return
    try:
        models = [apps.get_model("cases", name) for name in ("Place", "Practice", "Case")]
    except LookupError:
        return  # the cases app was migrated to zero
    from django.db import transaction

    try:
        indicator_model = apps.get_model("cases", "Indicator")
    except LookupError:
        indicator_model = None  # a migration state from before indicators
    with transaction.atomic(using=using):
        loaded = load_reference_data(*models, using=using, indicator_model=indicator_model)
    if verbosity >= 1 and loaded.changed:
        print(f"  参考数据 {loaded.summary()}")  # noqa: T201 (migrate's own output goes to stdout too)
