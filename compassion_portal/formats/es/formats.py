# Spanish for U.S. readers: Django's Spanish dates, a 12-hour clock ("9 a. m.", "5:30 p. m."),
# weeks from Sunday, and numbers written 1,234.5 (see compassion_portal/formats/__init__.py).
DATE_FORMAT = r"j \d\e F \d\e Y"
TIME_FORMAT = "P"
DATETIME_FORMAT = r"j \d\e F \d\e Y, P"
YEAR_MONTH_FORMAT = r"F \d\e Y"
MONTH_DAY_FORMAT = r"j \d\e F"
SHORT_DATE_FORMAT = "m/d/Y"
SHORT_DATETIME_FORMAT = "m/d/Y P"
FIRST_DAY_OF_WEEK = 0  # Sunday
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
