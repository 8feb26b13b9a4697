"""Languages named in their own language ("English", "Español", "Tiếng Việt"), whatever the
page's language: a resident looks for the name they know their language by.

Listings store a language as an HSDS code and a name, usually written in English by whoever
entered it. The codes most often heard in U.S. services are named here; any other code falls
back to the name Django knows the language by in that language, then to the stored name.
"""

from django.conf.locale import LANG_INFO
from django.utils.text import capfirst

ENDONYMS = {
    "am": "አማርኛ",
    "ar": "العربية",
    "bn": "বাংলা",
    "de": "Deutsch",
    "en": "English",
    "es": "Español",
    "fa": "فارسی",
    "fil": "Filipino",
    "fr": "Français",
    "hi": "हिन्दी",
    "hmn": "Hmoob",
    "ht": "Kreyòl ayisyen",
    "it": "Italiano",
    "ja": "日本語",
    "km": "ខ្មែរ",
    "ko": "한국어",
    "lo": "ລາວ",
    "my": "မြန်မာ",
    "ne": "नेपाली",
    "pl": "Polski",
    "ps": "پښتو",
    "pt": "Português",
    "ru": "Русский",
    "so": "Soomaali",
    "sw": "Kiswahili",
    "ti": "ትግርኛ",
    "tl": "Tagalog",
    "uk": "Українська",
    "ur": "اردو",
    "vi": "Tiếng Việt",
    "zh": "中文",
    "zh-hans": "简体中文",
    "zh-hant": "繁體中文",
}


def own_name(code: str, stored_name: str) -> str:
    """The language of ``code`` named in that language, else ``stored_name``."""
    key = code.strip().lower().replace("_", "-")
    if key in ENDONYMS:
        return ENDONYMS[key]
    known = LANG_INFO.get(key, {})
    if "name_local" in known:
        return capfirst(known["name_local"])
    return stored_name
