"""Opportunities: opened from a customer, priced from the catalogue, dragged across the kanban board,
moved without JavaScript, lost with a reason, and the funnel drawn."""
import re

from playwright.sync_api import expect

from test_customers import sign_in


def test_opportunity_from_customer_to_board_and_funnel(page, demo_server, shots):
    url = demo_server
    sign_in(page, url, "zhao.lei")
    page.goto(f"{url}/customers")
    page.locator("table.data tbody tr a.strong").first.click()
    customer = page.locator("h1").inner_text()
    page.click("#opportunities a:has-text('新建商机')")
    expect(page.locator("#f-customer")).not_to_have_value("")

    # A bad amount keeps what was typed and says what is wrong.
    page.fill("#f-name", "E2E 机房改造")
    page.fill("#f-amount", "很多")
    page.click("button:has-text('保存')")
    expect(page.locator("#e-amount")).to_be_visible()
    expect(page.locator("#f-name")).to_have_value("E2E 机房改造")
    page.fill("#f-amount", "120,000")
    page.fill("#f-nextStep", "约技术交流")
    page.click("button:has-text('保存')")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("E2E 机房改造")
    expect(page.locator(".stage-step.current")).to_contain_text("初步接洽")
    expect(page.locator("dl.facts").first).to_contain_text(customer)

    # A product line priced by the strategy; the amount becomes the lines' total.
    page.select_option("#f-productID", index=1)
    page.fill("#f-quantity", "2")
    page.click("button:has-text('添加产品')")
    expect(page.locator("#lines table.data tbody tr")).to_have_count(1)
    total = page.locator("#lines table.data tbody tr td").nth(4).inner_text()
    expect(page.locator("dl.facts").first).to_contain_text(total)
    detail = page.url

    # Drag the card from the first column to the second.
    page.goto(f"{url}/opportunities/board")
    cols = page.locator(".kanban-col")
    card = page.locator(".kanban-card", has_text="E2E 机房改造")
    expect(cols.nth(0).locator(".kanban-card", has_text="E2E 机房改造")).to_be_visible()
    with page.expect_navigation():
        card.drag_to(cols.nth(1))
    expect(cols.nth(1).locator(".kanban-card", has_text="E2E 机房改造")).to_be_visible()
    page.screenshot(path=str(shots / "50-opportunity-board.png"), full_page=True)

    # Without JavaScript: the card's stage list and button.
    moved = cols.nth(1).locator(".kanban-card", has_text="E2E 机房改造")
    moved.locator("select[name=stageID]").select_option(label="商务谈判")
    moved.locator("button:has-text('推进')").click()
    expect(page.locator(".kanban-col").nth(3).locator(".kanban-card", has_text="E2E 机房改造")).to_be_visible()

    # Lost needs a reason (the browser asks before sending); with one it is closed and its history shows every move.
    page.goto(detail)
    page.click("#lose summary")
    page.click("#lose button:has-text('输单')")
    expect(page.locator("#f-lostReason:invalid")).to_have_count(1)
    page.select_option("#f-lostReason", "price")
    page.fill("#f-note", "对手低 15%")
    page.click("#lose button:has-text('输单')")
    expect(page.locator(".summary-badges")).to_contain_text("输单")
    expect(page.locator("section.card", has_text="阶段记录").locator("tbody tr")).to_have_count(4)
    page.screenshot(path=str(shots / "51-opportunity-detail.png"), full_page=True)

    # The funnel and the forecast draw charts over tables.
    page.goto(f"{url}/opportunities/analysis")
    expect(page.locator("svg.chart")).to_be_visible()
    expect(page.locator("table.data")).to_contain_text("初步接洽")
    page.screenshot(path=str(shots / "52-opportunity-funnel.png"), full_page=True)
    page.click("nav.tabs a:has-text('销售预测')")
    expect(page.locator("table.data")).to_contain_text(re.compile(r"\d{4}-\d{2}"))
