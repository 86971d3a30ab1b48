"""The shape of the code: which module may import which (README, "Layout")."""

import ast

from articles.models import DocumentField

from .servers import PROJECT

PACKAGES = ("articles", "newsroom", "alerts")


def module_name(path):
    parts = path.relative_to(PROJECT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports():
    """{module: the project's modules it imports}, inner (function-level) imports included."""
    graph = {}
    for package in PACKAGES:
        for path in (PROJECT / package).rglob("*.py"):
            name = module_name(path)
            if ".migrations." in name:
                continue
            is_package = path.name == "__init__.py"
            found = set()
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom):
                    base = node.module or ""
                    if node.level:
                        anchor = name.split(".")[: len(name.split(".")) - node.level + is_package]
                        base = ".".join(anchor + ([node.module] if node.module else []))
                    found.add(base)
                    found.update(f"{base}.{alias.name}" for alias in node.names)
            graph[name] = {other for other in found if other.split(".")[0] in PACKAGES and other != name}
    return {name: {other for other in found if other in graph} for name, found in graph.items()}


def test_the_layout_is_read_from_the_code():
    graph = imports()
    assert "articles.models" in graph["articles.search"] and "articles.versions" in graph["articles.feeds"]


def reachable(graph, start):
    seen, todo = set(), list(graph[start])
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += graph[name]
    return seen


def test_no_module_imports_itself_through_others():
    graph = imports()
    assert [name for name in graph if name in reachable(graph, name)] == []


def test_what_a_change_writes_does_not_depend_on_the_cache():
    """The workflow and what it stores when an article is saved (``rendering``) write; the cache
    reads, and depends on the versions, not on the workflow. The article page's kept HTML
    (``article_page``) is apart from both."""
    graph = imports()
    for writer in ("articles.workflow", "articles.rendering"):
        assert not {name for name in reachable(graph, writer) if name.startswith("articles.cache")}, writer
    for reader in [name for name in graph if name.startswith("articles.cache")]:
        assert "articles.workflow" not in reachable(graph, reader), reader
    assert "articles.versions" in reachable(graph, "articles.cache.entries")


def test_models_are_the_ground_floor():
    """The content model imports nothing of the project: search, feeds, the workflow build on it. The
    press room's models live in a module of their own that models imports (so Django registers them),
    and that imports nothing of the project either: the ground floor has two rooms."""
    assert imports()["articles.models"] == {"articles.press_models"}
    assert imports()["articles.press_models"] == set()


def test_the_site_chrome_links_feeds_without_building_them():
    assert "articles.feeds" not in imports()["articles.context_processors"]


def test_search_owns_how_its_index_is_queried():
    """models stores the index (a field type, a table); the ``matches`` lookup, which reads a parsed
    ``search.Query``, is search's."""
    assert DocumentField().get_lookup("matches").__module__ == "articles.search"
