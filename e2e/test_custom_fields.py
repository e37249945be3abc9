"""An administrator adds a custom field; reps fill it in the customer form and see it on the 360 view."""
from playwright.sync_api import expect

from test_customers import sign_in


def test_custom_field_from_definition_to_customer(page, demo_server, shots):
    url = demo_server
    sign_in(page, url, "admin")
    page.click("a.nav-item[href='/admin/custom-fields']")
    expect(page.locator("h1")).to_contain_text("扩展字段")
    page.fill("#f-label", "所属展会")
    page.fill("#f-labelEn", "Trade fairs")
    page.select_option("#f-kind", "multiOption")
    page.click("section.card button:has-text('新建')")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("table.data")).to_contain_text("cf_sszh")
    page.screenshot(path=str(shots / "30-custom-fields.png"), full_page=True)

    # Its options live in the data dictionary, one list per option field.
    page.click("a:has-text('编辑选项')")
    for label in ("广交会", "进博会"):
        page.fill("#f-label", label)
        page.click("section.card button:has-text('新建')")
        expect(page.locator("table.data")).to_contain_text(label)

    # A bad value of a declared field keeps the ticked option; a good save shows it on the 360 view.
    page.goto(f"{url}/customers")
    page.locator("table.data tbody tr a").first.click()
    page.click("a.btn:has-text('编辑')")
    expect(page.locator("legend:has-text('扩展信息')")).to_be_visible()
    page.check("label.check:has-text('广交会') input")
    page.fill("#f-website", "not a site")
    page.click("button:has-text('保存')")
    expect(page.locator("#e-website")).to_be_visible()
    expect(page.locator("label.check:has-text('广交会') input")).to_be_checked()
    page.screenshot(path=str(shots / "31-custom-field-form.png"), full_page=True)
    page.fill("#f-website", "")
    page.click("button:has-text('保存')")
    expect(page.locator("#profile")).to_contain_text("广交会")
    page.screenshot(path=str(shots / "32-custom-field-360.png"), full_page=True)
