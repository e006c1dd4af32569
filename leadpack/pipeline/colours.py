"""Colour contrast (WCAG 2.2 relative luminance), for the theme check and the dark-mode variants of the theme."""

from __future__ import annotations

MIN_CONTRAST = 4.5  # WCAG 2.2 AA for body text
DARK_GROUND = "#121212"  # the page background in dark mode (runtime/leadpack.css)


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def lightened(colour: str, ground: str = DARK_GROUND, ratio: float = MIN_CONTRAST) -> str:
    """The colour mixed with white in small steps until its contrast with ``ground`` reaches ``ratio``."""
    channels = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    for step in range(101):
        mixed = "#" + "".join(f"{round(c + (255 - c) * step / 100):02x}" for c in channels)
        if contrast(mixed, ground) >= ratio:
            return mixed
    return "#ffffff"
