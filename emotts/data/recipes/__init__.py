"""Corpus recipes for ``emotts data prepare``: one module per corpus, shared code in ``common``.

Recipes are imported by name on demand, so listing them costs nothing and adding one is one
line here plus its module.
"""

from __future__ import annotations

import importlib

from emotts.data.recipes.common import Recipe
from emotts.errors import ConfigError

#: Recipe name -> module implementing it.
RECIPES: dict[str, str] = {
    "esd": "emotts.data.recipes.esd",
    "emovdb": "emotts.data.recipes.emovdb",
    "ljspeech": "emotts.data.recipes.ljspeech",
    "msp_podcast": "emotts.data.recipes.msp_podcast",
    "generic": "emotts.data.recipes.generic",
}


def get_recipe(name: str) -> Recipe:
    """The recipe module called ``name``; a ConfigError listing the recipes otherwise."""
    module = RECIPES.get(name)
    if module is None:
        raise ConfigError(f"unknown recipe {name!r}; accepted: {', '.join(RECIPES)}")
    return importlib.import_module(module)  # type: ignore[return-value]
