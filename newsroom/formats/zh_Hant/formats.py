"""The traditional edition's forms show times as the simplified one's do."""

from newsroom.formats.zh_Hans.formats import TIME_INPUT_FORMATS  # noqa: F401
