"""The apps depend one way: the import-linter contracts in pyproject.toml hold, each of them
breaks when the import it forbids is added, and the project's modules import in no cycle."""

import copy
from pathlib import Path

import grimp
import pytest
from importlinter import api
from importlinter.application.use_cases import lint_imports
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.independence import IndependenceContract
from importlinter.contracts.protected import ProtectedContract

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
CONTRACT_TYPES = {
    kind.type_name: kind for kind in (ForbiddenContract, IndependenceContract, ProtectedContract)
}


@pytest.fixture(scope="module")
def configuration() -> dict:
    return api.read_configuration(str(PYPROJECT))


@pytest.fixture(scope="module")
def project_graph(configuration) -> grimp.ImportGraph:
    return grimp.build_graph(*configuration["session_options"]["root_packages"], cache_dir=None)


def contract_is_kept(configuration: dict, contract_id: str, graph: grimp.ImportGraph) -> bool:
    options = next(c for c in configuration["contracts_options"] if c.get("id") == contract_id)
    contract = CONTRACT_TYPES[options["type"]](
        name=options["name"],
        session_options=configuration["session_options"],
        contract_options=options,
    )
    return contract.check(copy.deepcopy(graph), verbose=False).kept


def test_make_lint_finds_every_contract_kept(monkeypatch):
    monkeypatch.chdir(PYPROJECT.parent)
    assert lint_imports(str(PYPROJECT), cache_dir=None, no_logo=True)


@pytest.mark.parametrize(
    ("contract_id", "importer", "imported"),
    [
        # The import the city page used to make, and one the other way round.
        ("compacts-reads-no-other-app", "compacts.views", "curriculum.progress"),
        ("compacts-reads-no-other-app", "compacts.models", "directory.models"),
        ("directory-curriculum-independent", "curriculum.views", "directory.models"),
        ("directory-curriculum-independent", "directory.views", "curriculum.models"),
        # The admin once reached the CSV helpers through an app's views; the portal's own
        # modules may not lean on its views either.
        ("portal-views-only-routed", "compacts.admin", "compassion_portal.views"),
        ("portal-views-only-routed", "compassion_portal.account", "compassion_portal.views"),
    ],
)
def test_each_contract_breaks_when_its_forbidden_import_is_added(
    configuration, project_graph, contract_id, importer, imported
):
    assert contract_is_kept(configuration, contract_id, project_graph)
    broken = copy.deepcopy(project_graph)
    broken.add_import(importer=importer, imported=imported, line_number=1, line_contents="import")
    assert not contract_is_kept(configuration, contract_id, broken)


def import_cycles(graph: grimp.ImportGraph) -> set[tuple[str, ...]]:
    """Each direct import that the imported module leads back from, as the cycle it closes.
    Migrations are left out: nothing imports them."""
    graph = copy.deepcopy(graph)
    for module in [m for m in graph.modules if ".migrations" in m]:
        graph.remove_module(module)
    cycles = set()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                cycles.add((importer, *back))
    return cycles


def test_no_import_cycle_among_the_projects_modules(project_graph):
    cycles = sorted(" -> ".join(cycle) for cycle in import_cycles(project_graph))
    assert cycles == []


def test_the_cycle_search_finds_a_planted_cycle(project_graph):
    planted = copy.deepcopy(project_graph)
    planted.add_import(importer="compacts.models", imported="compacts.views")
    assert ("compacts.models", "compacts.views", "compacts.models") in import_cycles(planted)
