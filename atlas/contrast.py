"""Text colours that stay readable on a coloured background (WCAG 2.1 contrast, AA = 4.5:1 for normal text).

Plotly picks white or black for text inside a bar by its own rule, which puts white on the barometer's green
(3.3:1). ``text_colour_on`` chooses instead, from the relative luminance WCAG defines.
"""

from __future__ import annotations

AA_NORMAL_TEXT = 4.5
WHITE, INK, BLACK = "#ffffff", "#1e1e1e", "#000000"


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of ``#rrggbb`` (0 = black, 1 = white)."""
    digits = hex_colour.lstrip("#")
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio between two colours, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(background: str) -> str:
    """White, the page's ink or black: the first that reaches AA on ``background`` (else the most contrasted)."""
    candidates = (WHITE, INK, BLACK)
    for colour in candidates:
        if contrast_ratio(colour, background) >= AA_NORMAL_TEXT:
            return colour
    return max(candidates, key=lambda colour: contrast_ratio(colour, background))
