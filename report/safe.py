"""Text that came from a file, made safe to show: never run as Markdown, HTML or a spreadsheet formula.

Names, ids, file names and violations come from uploaded files, so a clerk's file can hold anything. Every page
passes such text through ``md`` before Streamlit's Markdown (``st.markdown``, captions, messages, metric
labels), through ``plot`` before a Plotly title, label or hover text, and every export through ``cell``.

>>> md("[点此下载](http://x.example)").replace(WORD_JOINER, "+")
'\\\\[点此下载\\\\]\\\\(http+\\\\:\\\\/\\\\/x\\\\.example\\\\)'
>>> plot("<a href='http://x.example'>驿城区</a>")
"&lt;a href='http://x.example'&gt;驿城区&lt;/a&gt;"
>>> cell("=HYPERLINK(1)"), cell("-5"), cell(3)
("'=HYPERLINK(1)", "'-5", 3)
"""

from __future__ import annotations

import re
import string

# Markdown lets a backslash escape any ASCII punctuation (CommonMark 2.4), and Streamlit's own syntax
# (:red[…], :material/icon:, emoji short codes, $LaTeX$) is built from the same characters.
_MARKDOWN_ESCAPES = str.maketrans({ch: "\\" + ch for ch in string.punctuation})
# Line breaks would start a new Markdown block (a heading, a list, a table) in the middle of a sentence.
_LINE_BREAKS = str.maketrans({"\r": " ", "\n": " ", "\t": " "})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# GitHub-flavoured Markdown turns bare addresses into links after escapes are read (http://…, www.…, a@b.c), so an
# invisible word joiner goes where each pattern would start: the text looks the same and links nowhere.
WORD_JOINER = "\u2060"
_BARE_LINKS = re.compile(r"(?i)(https?|ftp|mailto|www)(?=[:.])|(@)")


def md(value: object) -> str:
    """``value`` as literal text inside Streamlit Markdown: no link, image, HTML, directive or heading."""
    unlinked = _BARE_LINKS.sub(lambda found: found.group(0) + WORD_JOINER, str(value).translate(_LINE_BREAKS))
    return unlinked.translate(_MARKDOWN_ESCAPES)


def plot(value: object) -> str:
    """``value`` as literal text in a Plotly title, label, legend or hover text (Plotly reads <a>, <b>, <br>)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell(value: object) -> object:
    """A value for a CSV or spreadsheet cell: text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
