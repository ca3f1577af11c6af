"""The template contract (docs/templates.md) holds: components render from their documented arguments alone,
pages use only documented variables, and the stylesheet and script rely only on documented classes."""
from __future__ import annotations

import dataclasses
import re
import typing

import jinja2
import jinja2.meta
import pytest
from markupsafe import Markup

from conftest import PROJECT
from evidence import views
from evidence.errors import Problems
from evidence.load import load_source
from evidence.templates import make_templates

DOCS = (PROJECT / "docs/templates.md").read_text(encoding="utf-8")
TEMPLATES = PROJECT / "templates"
SAMPLE_TEXT = "Words & <more>"


def section(title: str) -> str:
    return DOCS.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def documented_components() -> list[tuple[str, str, dict[str, str]]]:
    """(file, macro, {argument: type}) for each row of the components table."""
    rows = re.findall(r"^\| `(components/[\w.]+)` \| `(\w+)\(([^)]*)\)` \| (.*) \|$", section("Components"), re.MULTILINE)
    documented = []
    for file, macro, arguments, types in rows:
        typed = dict(re.findall(r"`(\w+)`: `([^`]+)`", types))
        assert list(typed) == [a.strip() for a in arguments.split(",")], f"{file} {macro}: the types do not name every argument"
        documented.append((file, macro, typed))
    return documented


@pytest.fixture(scope="module")
def source():
    loaded = load_source(PROJECT / "tests/fixtures/site/sources/minutes.md", Problems())
    assert loaded is not None
    return loaded.summary()


def sample(type_text: str, source):
    """A value of a documented type, made from the type's name alone."""
    text = type_text.strip()
    if text.endswith("| None"):
        return sample(text[: -len("| None")], source)
    if text.startswith("list[") or text.startswith("tuple["):
        inner = text[text.index("[") + 1 : -1].removesuffix(", ...")
        return [sample(inner, source), sample(inner, source)]
    simple = {"bool": True, "int": 3, "str": SAMPLE_TEXT, "Markup": Markup("<p>Prose.</p>")}
    if text in simple:
        return simple[text]
    if text.removeprefix("model.") == "SourceSummary":
        return source
    view = getattr(views, text.removeprefix("views."))
    hints = typing.get_type_hints(view, globalns=vars(views))
    return view(**{f.name: sample(_type_name(hints[f.name]), source) for f in dataclasses.fields(view)})


def _type_name(hint) -> str:
    text = str(hint).replace("typing.", "").replace("evidence.views.", "views.").replace("evidence.model.", "model.")
    return re.sub(r"<class '(?:evidence\.)?([\w.]+)'>", r"\1", text).replace("NoneType", "None").replace("Optional[", "")


@pytest.mark.parametrize("file, macro, arguments", documented_components(), ids=lambda value: str(value) if isinstance(value, str) else "")
def test_every_component_renders_from_its_documented_arguments_alone(file, macro, arguments, source):
    env = make_templates([TEMPLATES])
    component = getattr(env.get_template(file).module, macro)
    html = str(component(*(sample(kind, source) for kind in arguments.values())))
    assert html.strip(), f"{file} {macro} rendered nothing"
    assert "None" not in html and "Undefined" not in html
    assert "<more>" not in html, "text must be escaped"


def test_every_component_macro_is_documented():
    documented = {(file, macro) for file, macro, _ in documented_components()}
    found = {
        (path.relative_to(TEMPLATES).as_posix(), name)
        for path in (TEMPLATES / "components").glob("*.html")
        for name in re.findall(r"\{%-?\s*macro\s+(\w+)", path.read_text(encoding="utf-8"))
    }
    assert found == documented


def page_variables() -> dict[str, set[str]]:
    """The variables docs/templates.md gives each page template: its own row, plus those every page gets."""
    pages = section("Pages")
    common = set(re.findall(r"^\| `(\w+)`", pages, re.MULTILINE)) | set(re.findall(r"^\| `\w+`, `(\w+)`", pages, re.MULTILINE))
    rows = dict(re.findall(r"^\| `([\w.]+\.(?:html|xml))` \| (.*) \|$", pages, re.MULTILINE))
    return {name: common | set(re.findall(r"`(\w+)[`(]", row)) for name, row in rows.items()}


@pytest.mark.parametrize("name", sorted(page_variables()))
def test_every_page_template_uses_only_documented_variables(name):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES))
    text = env.loader.get_source(env, name)[0]
    own = set(re.findall(r"\bimport\s+([\w, ]+?)\s*%}", text)) | set(re.findall(r"\bas\s+(\w+)", text))
    own |= {n.strip() for group in re.findall(r"\bimport\s+([\w, ]+)", text) for n in group.split(",")}
    own |= set(re.findall(r"\{%-?\s*set\s+(\w+)", text))
    used = jinja2.meta.find_undeclared_variables(env.parse(text)) - own
    assert used <= page_variables()[name], f"{name} uses undocumented variables: {sorted(used - page_variables()[name])}"


def test_the_stylesheet_and_the_script_rely_only_on_documented_classes_and_attributes():
    listed = section("What the script and the stylesheet rely on")
    css = re.sub(r"/\*.*?\*/", "", (PROJECT / "static/style.css").read_text(encoding="utf-8"), flags=re.DOTALL)
    script = (PROJECT / "static/cite.js").read_text(encoding="utf-8")
    classes = set(re.findall(r"\.([a-z][a-z0-9-]*)", re.sub(r"\d\.\d|url\([^)]*\)", "", css)))
    classes |= set(re.findall(r'className = "([\w-]+)"', script)) | set(re.findall(r'closest\("\.([\w-]+)', script))
    attributes = set(re.findall(r"(data-[a-z-]+)", css + script))
    missing = sorted(name for name in classes | attributes if f"`{name}`" not in listed and f'`{name}="' not in listed)
    assert not missing, f"not listed in docs/templates.md: {missing}"


def test_every_kind_of_source_has_a_label_in_the_phrases():
    from evidence.model import SOURCE_KINDS
    for folder in ([TEMPLATES], [PROJECT / "tests/fixtures/theme-fr", TEMPLATES]):
        kinds = make_templates(folder).get_template("phrases.html").module.kinds
        assert set(kinds) == set(SOURCE_KINDS), folder[0]
