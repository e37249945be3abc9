"""Plans and summaries (TSK-02): a rep plans the week and ticks items off; the team lead adds an item and reviews."""
from playwright.sync_api import expect

from test_customers import sign_in


def test_week_plan_ticked_off_and_reviewed(page, browser, demo_server, shots):
    url = demo_server
    sign_in(page, url, "zhao.lei")
    page.click("a.nav-item[href='/plans']")
    expect(page.locator("h1")).to_contain_text("我的计划")
    for text in ["拜访华信采购部，确认二期需求", "给三家意向客户发报价", "整理本周跟进记录"]:
        page.fill("#f-text", text)
        page.keyboard.press("Enter")
        expect(page.locator(".plan-items")).to_contain_text(text)
    page.locator(".plan-item:has-text('给三家意向客户发报价') button.check").click()
    expect(page.locator(".plan-item.done")).to_contain_text("给三家意向客户发报价")
    expect(page.locator("#items .plan-progress")).to_contain_text("1/3 · 33%")
    page.fill("textarea[name=summary]", "报价已发，二期需求下周一再确认")
    page.click("#summary button:has-text('保存')")
    expect(page.locator(".flash-success")).to_be_visible()
    page.screenshot(path=str(shots / "45-plan-week.png"), full_page=True)

    # The team lead sees the team's completion, opens the rep's plan, adds an item and reviews.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    lead = context.new_page()
    sign_in(lead, url, "wang.fang")
    lead.goto(f"{url}/plans/team")
    row = lead.locator("tr:has-text('赵磊')")
    expect(row).to_contain_text("33%")
    lead.screenshot(path=str(shots / "46-plan-team.png"), full_page=True)
    row.locator("a:has-text('赵磊')").click()
    expect(lead.locator("h1")).to_contain_text("赵磊 的计划")
    lead.fill("#f-text", "周五前回访华信")
    lead.click("form.plan-add button:has-text('添加')")
    expect(lead.locator(".plan-item:has-text('周五前回访华信') .badge")).to_contain_text("王芳 添加")
    lead.fill("textarea[name=review]", "报价跟紧，周五前给我结果")
    lead.click("#review button:has-text('保存')")
    expect(lead.locator("#review")).to_contain_text("报价跟紧")
    context.close()

    # The rep hears about both.
    page.goto(f"{url}/notifications")
    expect(page.locator(".notes")).to_contain_text("王芳 给你的计划加了一项：周五前回访华信")
    expect(page.locator(".notes")).to_contain_text("王芳 评阅了你的计划")
