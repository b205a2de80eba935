# English staff screens keep the ISO dates they always showed; Italian and Spanish use Django's
# own formats (31/12/2026). Numbers: Django's, grouped only where a template asks (|num).
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
