"""Relabel the whole UI in one event: every translatable component is registered once.

labels = Labels("zh")
start = labels.value(gr.Button(t("start", "zh")), "start")    # a button's text
resume = labels.label(gr.Textbox(label=t("resume", "zh")), "resume")
labels.custom(company, lambda lang: gr.update(choices=names(lang), label=t("company", lang)))
radio.input(lambda lang: labels.updates(lang), radio, labels.components)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import gradio as gr

from ui.strings import t

C = TypeVar("C")


class Labels:
    def __init__(self) -> None:
        self._items: list[tuple[Any, Callable[[str], Any]]] = []

    def custom(self, component: C, update: Callable[[str], Any]) -> C:
        self._items.append((component, update))
        return component

    def label(self, component: C, key: str) -> C:
        return self.custom(component, lambda lang: gr.update(label=t(key, lang)))

    def value(self, component: C, key: str) -> C:
        return self.custom(component, lambda lang: gr.update(value=t(key, lang)))

    @property
    def components(self) -> list[Any]:
        return [component for component, _ in self._items]

    def updates(self, lang: str) -> list[Any]:
        return [update(lang) for _, update in self._items]
