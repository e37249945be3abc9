"""The product catalogue: categories beside the list, a new product with the duplicate-name warning, a price strategy."""
from playwright.sync_api import expect

from test_customers import sign_in


def test_catalogue_new_product_and_price_strategy(page, demo_server, shots):
    url = demo_server
    sign_in(page, url, "admin")
    page.click("a.nav-item[href='/products']")
    expect(page.locator("h1")).to_contain_text("产品")
    expect(page.locator("table.data")).to_contain_text("机架服务器")
    # A category on the left narrows the list to it and what is below it.
    page.click("nav.category-tree a:has-text('网络设备')")
    expect(page.locator("table.data")).to_contain_text("千兆交换机")
    expect(page.locator("table.data")).not_to_contain_text("机架服务器")
    page.screenshot(path=str(shots / "40-products.png"), full_page=True)

    # Same name as an existing product: warned, the typed input kept, saved after confirming.
    page.goto(f"{url}/products/new")
    page.fill("#f-name", "千兆交换机")
    page.fill("#f-model", "HX-S5735")
    page.fill("#f-unit", "台")
    page.fill("#f-listPrice", "7,200")
    page.click("button:has-text('保存')")
    expect(page.locator("#e-name")).to_be_visible()
    expect(page.locator("#f-model")).to_have_value("HX-S5735")
    page.screenshot(path=str(shots / "41-product-duplicate-warning.png"), full_page=True)
    page.check("input[name='confirmDuplicate']")
    page.click("button:has-text('保存')")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("千兆交换机")
    expect(page.locator("dl.facts").first).to_contain_text("7,200.00")

    # A price for key accounts.
    page.select_option("#f-customerLevel", "a")
    page.fill("#f-price", "6,900")
    page.click("button:has-text('添加价格')")
    expect(page.locator("#prices table.data")).to_contain_text("6,900.00")
    page.screenshot(path=str(shots / "42-product-prices.png"), full_page=True)
