"""A questionnaire is a series of immutable versions; a version holds modules, items, choices.

Once a version has responses it is fielded and never rewritten: a changed definition file
becomes a new version, and every response keeps the version it answered.
"""
from django.db import models

from surveys.questionnaire.texts import pick


class Questionnaire(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    title = models.JSONField(default=dict)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def latest_version(self) -> "QuestionnaireVersion | None":
        return self.versions.order_by("-number").first()


# The heavy columns of a version: the frozen definition (about 230 KB of JSON for instrument B), its
# authoring form (80 KB) and the uploaded source file. They are read only when surveys.questionnaire.spec
# compiles a version it has not cached yet, or an export writes the authored form: row look-ups that
# join a version leave them out (`version_heavy_fields("response__version__")`).
VERSION_HEAVY_FIELDS = ("definition", "authored", "source_file")


def version_heavy_fields(prefix: str = "") -> list[str]:
    return [prefix + name for name in VERSION_HEAVY_FIELDS]


class VersionManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().defer(*VERSION_HEAVY_FIELDS)


class QuestionnaireVersion(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    checksum = models.CharField(max_length=64)
    definition = models.JSONField(help_text="The definition file as loaded, frozen with the version.")
    languages = models.JSONField(default=list)
    modes = models.JSONField(default=list)
    missing_codes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The file the version was authored in (YAML or XLSX workbook), kept as uploaded, and its
    # authoring form (named choice lists, reference lists unresolved) from which exports are written.
    source_name = models.CharField(max_length=200, blank=True)
    source_format = models.CharField(max_length=4, blank=True, help_text="yaml or xlsx")
    source_checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the source file")
    source_file = models.BinaryField(blank=True, default=b"")
    authored = models.JSONField(default=dict, blank=True, help_text="The definition as authored.")

    objects = VersionManager()

    class Meta:
        ordering = ["questionnaire", "number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="uniq_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.code} v{self.number}"

    def is_fielded(self) -> bool:
        return self.responses.exists()


class Module(models.Model):
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="modules")
    code = models.CharField(max_length=20)
    position = models.PositiveIntegerField()
    title = models.JSONField(default=dict)
    relevance = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_module_code")]

    def __str__(self) -> str:
        return f"{self.code} {pick(self.title)}"


class Item(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single"
        MULTI = "multi"
        YESNO = "yesno"
        LIKERT5 = "likert5"
        GRID = "grid"
        NUMERIC = "numeric"
        PERCENT = "percent"
        SPLIT100 = "split100"
        YEAR = "year"
        COUNTRY = "country"
        DATE = "date"
        TEXT = "text"
        LONGTEXT = "longtext"

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="items")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=30, help_text="Stable code, never derived from the wording.")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    wording = models.JSONField(default=dict)
    help = models.JSONField(default=dict, blank=True)
    required = models.BooleanField(default=True)
    relevance = models.TextField(blank=True)
    config = models.JSONField(default=dict, blank=True, help_text="Ranges, decimals, unit, selections...")
    checks = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_item_code")]

    def __str__(self) -> str:
        return self.code


class ItemRow(models.Model):
    """A grid row, a part of a percentage split, or a column of a rows x columns grid."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="rows")
    code = models.CharField(max_length=20)
    position = models.PositiveIntegerField()
    label = models.JSONField(default=dict)
    help = models.JSONField(default=dict, blank=True)
    relevance = models.TextField(blank=True)
    is_column = models.BooleanField(default=False)

    class Meta:
        ordering = ["item", "is_column", "position"]


class Choice(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="choices")
    code = models.CharField(max_length=20)
    position = models.PositiveIntegerField()
    label = models.JSONField(default=dict)
    help = models.JSONField(default=dict, blank=True)
    exclusive = models.BooleanField(default=False)
    is_other = models.BooleanField(default=False)

    class Meta:
        ordering = ["item", "position"]

    def __str__(self) -> str:
        return f"{self.code} {pick(self.label)}"


class DerivedVariable(models.Model):
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="derived")
    name = models.CharField(max_length=40)
    position = models.PositiveIntegerField()
    label = models.JSONField(default=dict)
    expr = models.TextField()
    values = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "position"]
