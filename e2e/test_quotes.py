"""Quotes: drafted from an opportunity with prices from the catalogue, a row fixed after an inline
error, sent, and printed from the organisation's template."""
from playwright.sync_api import expect

from test_customers import sign_in


def test_quote_from_opportunity_to_print(page, demo_server, shots):
    url = demo_server
    sign_in(page, url, "zhao.lei")
    page.goto(f"{url}/opportunities")
    page.locator("table.data tbody tr a.strong").first.click()
    opportunity = page.locator("h1").inner_text()
    page.click("#quotes a:has-text('新建报价')")
    expect(page.locator("#f-title")).to_have_value(opportunity)

    # Two rows: the second with a bad quantity comes back marked, everything typed kept.
    page.select_option("#f-lines\\.1\\.productID", index=1)
    page.fill("#f-lines\\.1\\.quantity", "3")
    page.fill("#f-lines\\.1\\.taxRate", "13")
    page.select_option("#f-lines\\.2\\.productID", index=2)
    page.fill("#f-lines\\.2\\.quantity", "很多")
    page.click("button:has-text('保存')")
    expect(page.locator("#f-lines\\.2\\.quantity")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-lines\\.2\\.quantity")).to_have_value("很多")
    expect(page.locator("#f-lines\\.1\\.taxRate")).to_have_value("13")
    page.screenshot(path=str(shots / "53-quote-form-error.png"), full_page=True)
    page.fill("#f-lines\\.2\\.quantity", "1")
    page.fill("#f-lines\\.2\\.discount", "5")
    page.click("button:has-text('保存')")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("BJ")
    expect(page.locator("section.card", has=page.locator("h2", has_text="产品明细")).locator("tbody tr")).to_have_count(2)
    number = page.locator("h1").inner_text()

    page.click("button:has-text('标记已发送')")
    expect(page.locator(".summary-badges")).to_contain_text("已发送")
    page.screenshot(path=str(shots / "54-quote-detail.png"), full_page=True)

    page.click("a:has-text('打印')")
    expect(page.locator(".quote-sheet h1")).to_contain_text("报价单")
    expect(page.locator(".quote-meta")).to_contain_text(number.split(" ")[0])
    expect(page.locator(".quote-table tbody tr")).to_have_count(2)
    expect(page.locator(".quote-header")).to_contain_text("华信科技")
    page.screenshot(path=str(shots / "55-quote-print.png"), full_page=True)
