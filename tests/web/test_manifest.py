"""manifest.xml: valid against Microsoft's schemas, and right where the schemas cannot tell."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from lxml import etree

from freelance.identity import EntraSettings
from freelance.manifest import render
from freelance.web.services import services
from tests.helpers import ROOT, SCHEMAS, needs_schemas

NS = {
    "o": "http://schemas.microsoft.com/office/appforoffice/1.1",
    "ov": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
    "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
XSI_TYPE = f"{{{NS['xsi']}}}type"
# Which kind of resource each reference may point at.
RESOURCE_KINDS = {
    "Image": "bt:Images/bt:Image",
    "SourceLocation": "bt:Urls/bt:Url",
    "LearnMoreUrl": "bt:Urls/bt:Url",
    "FunctionFile": "bt:Urls/bt:Url",
    "Label": "bt:ShortStrings/bt:String",
    "Title": "bt:ShortStrings/bt:String",
    "Description": "bt:LongStrings/bt:String",
}


# The requirement sets the manifest declares, in the base manifest and in VersionOverrides: none.
# Either place applies to Word and Excel alike (see the comment in manifest.xml), so a set that only
# one of them has would take the add-in, or its Freelance tab, out of the other.
REQUIRED_SETS: dict[str, set[tuple[str, str]]] = {"base": set(), "VersionOverrides": set()}
# Sets that one host has and the other lacks (Microsoft Learn, "Office client application and
# platform availability for Office Add-ins"), and the others the pane checks at runtime instead.
ONE_HOST_ONLY = ("WordApi", "ExcelApi")
CHECKED_AT_RUNTIME = ("DialogApi", "IdentityAPI")
SIGN_IN = EntraSettings(
    client_id="0f7b1e4c-3a2d-4e5f-9a8b-7c6d5e4f3a2b",
    tenants=frozenset({"contoso.onmicrosoft.com"}),
    api_uri="api://freelance.contoso.com/0f7b1e4c-3a2d-4e5f-9a8b-7c6d5e4f3a2b",
)


@pytest.fixture(scope="module")
def manifest() -> etree._ElementTree:
    return etree.parse(str(ROOT / "manifest.xml"))


def _urls(tree) -> list[str]:
    values = [e.get("DefaultValue") for e in tree.iter() if (e.get("DefaultValue") or "").startswith(("http", "//"))]
    return values + [e.text for e in tree.iterfind(".//o:AppDomain", NS)]


def _required_sets(tree) -> dict[str, set[tuple[str, str]]]:
    """{"base" | "VersionOverrides": {(set name, its minimum version)}} as the manifest declares them."""
    places = {"base": "o:Requirements", "VersionOverrides": "ov:VersionOverrides/ov:Requirements"}
    found: dict[str, set[tuple[str, str]]] = {}
    for place, path in places.items():
        requirements = tree.find(path, NS)
        found[place] = set()
        for sets in [] if requirements is None else requirements.iterfind("{*}Sets"):
            default = sets.get("DefaultMinVersion", "1.1")
            found[place] |= {(s.get("Name"), s.get("MinVersion", default)) for s in sets.iterfind("{*}Set")}
        if requirements is not None:
            assert requirements.find("{*}Methods") is None, f"{place}: API methods are required"
    return found


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


@needs_schemas
@pytest.mark.parametrize("source", ["checked-in", "served"])
def test_the_manifest_is_valid_against_the_office_schemas(client, manifest, source):
    tree = manifest if source == "checked-in" else etree.ElementTree(etree.fromstring(client.get("/manifest.xml").data))
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "OfficeAppManifestV1_1.xsd")))
    assert schema.validate(tree), schema.error_log


@pytest.mark.parametrize("variant", ["checked-in", "served", "served with sign-in"])
def test_the_manifest_requires_no_api_set_that_one_of_its_hosts_lacks(client, manifest, variant):
    if variant == "checked-in":
        tree = manifest
    elif variant == "served":
        tree = etree.ElementTree(etree.fromstring(client.get("/manifest.xml").data))
    else:  # what freelance/manifest.py serves when sign-in is on (its schema test: tests/identity)
        served = render((ROOT / "manifest.xml").read_bytes(), "https://freelance.contoso.com", SIGN_IN)
        tree = etree.ElementTree(etree.fromstring(served))
        assert tree.find("ov:VersionOverrides/ov:WebApplicationInfo", NS) is not None
    declared = _required_sets(tree)
    everywhere = declared["base"] | declared["VersionOverrides"]
    assert not {s for s in everywhere if s[0].startswith(ONE_HOST_ONLY)}, "Word or Excel lacks these"
    assert not {s for s in everywhere if s[0].startswith(CHECKED_AT_RUNTIME)}, "the pane checks these at runtime"
    assert declared == REQUIRED_SETS


def test_every_address_is_https_on_localhost_3000(manifest):
    urls = _urls(manifest)
    assert len(urls) > 10
    assert all(url.startswith("https://localhost:3000/") or url == "https://localhost:3000" for url in urls), urls


def test_every_resource_reference_resolves_to_a_resource_of_its_kind(manifest):
    resources = manifest.find(".//ov:Resources", NS)
    for element in manifest.iterfind(".//*[@resid]"):
        kind = etree.QName(element).localname
        matches = resources.xpath(f"{RESOURCE_KINDS[kind]}[@id=$id]", namespaces=NS, id=element.get("resid"))
        assert len(matches) == 1, f"{kind} resid={element.get('resid')} resolves to {len(matches)} resources"


def test_resource_ids_and_control_ids_are_unique(manifest):
    resource_ids = [e.get("id") for e in manifest.find(".//ov:Resources", NS).iter() if e.get("id")]
    assert len(resource_ids) == len(set(resource_ids))
    control_ids = [e.get("id") for e in manifest.iterfind(".//ov:Hosts//*[@id]", NS)]
    assert len(control_ids) == len(set(control_ids)) and all(i.startswith("Freelance.") for i in control_ids)


def test_the_ribbon_hosts_are_the_hosts_the_add_in_declares(manifest):
    declared = {host.get("Name") for host in manifest.iterfind("o:Hosts/o:Host", NS)}
    ribbon = {host.get(XSI_TYPE) for host in manifest.iterfind(".//ov:Hosts/ov:Host", NS)}
    assert declared == ribbon == {"Document", "Workbook"}


@pytest.mark.parametrize(
    "host, buttons",
    [
        ("Document", ["Statement of work", "NDA", "Freelancer details", "Publish as template"]),
        ("Workbook", ["Budget tracker", "Add freelancer lines"]),
    ],
)
def test_each_host_has_a_freelance_tab_with_its_buttons_opening_their_view(manifest, host, buttons):
    strings = {s.get("id"): s.get("DefaultValue") for s in manifest.iterfind(".//bt:String", NS)}
    urls = {u.get("id"): u.get("DefaultValue") for u in manifest.iterfind(".//bt:Url", NS)}
    tab = manifest.find(f".//ov:Host[@xsi:type='{host}']//ov:CustomTab", NS)
    assert strings[tab.find("ov:Label", NS).get("resid")] == "Freelance"
    controls = tab.findall(".//ov:Control", NS)
    assert [strings[c.find("ov:Label", NS).get("resid")] for c in controls] == buttons
    views = [urls[c.find("ov:Action/ov:SourceLocation", NS).get("resid")].split("?view=")[1] for c in controls]
    assert len(set(views)) == len(buttons)
    assert all(c.find("ov:Action", NS).get(XSI_TYPE) == "ShowTaskpane" for c in controls)


def test_every_icon_is_served_as_a_png_of_its_stated_size(client, manifest):
    icons = [(int(image.get("size")), image.get("resid")) for image in manifest.iterfind(".//ov:Icon/bt:Image", NS)]
    sources = {i.get("id"): i.get("DefaultValue") for i in manifest.iterfind(".//bt:Images/bt:Image", NS)}
    expected = {(size, sources[resid]) for size, resid in icons}
    expected |= {
        (32, manifest.find("o:IconUrl", NS).get("DefaultValue")),
        (64, manifest.find("o:HighResolutionIconUrl", NS).get("DefaultValue")),
    }
    assert {size for size, _ in expected} == {16, 32, 64, 80}
    for size, url in expected:
        with client.get(url.removeprefix("https://localhost:3000")) as response:
            assert response.status_code == 200 and response.mimetype == "image/png", url
            assert _png_size(response.data) == (size, size), url
            assert "max-age=604800" in response.headers["Cache-Control"]


def test_the_served_manifest_points_at_the_public_url(database_url):
    from freelance.web import create_app

    app = create_app({"DATABASE_URL": database_url, "PUBLIC_URL": "https://freelance.contoso.com"})
    try:
        tree = etree.fromstring(app.test_client().get("/manifest.xml").data)
    finally:
        services(app).store.engine.dispose()
    urls = _urls(etree.ElementTree(tree))
    assert urls and all(url.startswith("https://freelance.contoso.com") for url in urls), urls


def test_a_public_url_that_is_not_https_is_refused_at_start():
    from freelance.web.config import Settings

    with pytest.raises(ValueError, match="PUBLIC_URL must be an https:// address"):
        Settings.load({"PUBLIC_URL": "http://freelance.contoso.com"})


def test_the_pane_may_be_framed_by_office_and_nothing_else(client):
    response = client.get("/taskpane.html?view=sow")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert {"'self'", "https://*.officeapps.live.com", "https://*.office.com"} <= set(policy["frame-ancestors"].split())
    # Office's sovereign clouds and OneDrive for consumers frame the pane too.
    sovereign = {"https://*.online.office365.us", "https://*.online.office.de", "https://*.partner.officewebapps.cn"}
    assert sovereign | {"https://onedrive.live.com"} <= set(policy["frame-ancestors"].split())
    assert "'unsafe-inline'" not in policy["script-src"]


def test_the_browser_check_is_served_to_the_pane_as_a_script(client):
    page = client.get("/taskpane.html").get_data(as_text=True)
    assert page.index('<script src="/addin/support.js"></script>') < page.index('<script type="module"')
    with client.get("/addin/support.js") as response:
        assert response.status_code == 200 and response.mimetype == "text/javascript"
        assert b"noModule" in response.data


def test_the_development_certificate_is_made_once_and_reused(tmp_path: Path):
    from freelance.web.devcert import development_certificate

    certificate, key = development_certificate(tmp_path)
    first = Path(certificate).read_bytes()
    assert b"BEGIN CERTIFICATE" in first and Path(key).stat().st_mode & 0o777 == 0o600
    assert development_certificate(tmp_path) == (certificate, key)
    assert Path(certificate).read_bytes() == first
