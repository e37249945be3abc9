"""A rep's day: write a follow-up from the customer 360 view, see it in the timeline and in the follow-up list."""
from playwright.sync_api import expect

from test_customers import sign_in


def test_follow_up_from_the_360_view(page, demo_server, shots):
    url = demo_server
    sign_in(page, url, "zhao.lei")
    page.goto(f"{url}/customers")
    page.locator("table.data tbody tr a").first.click()
    section = page.locator("#follow-ups")
    if section.locator("details.quick-add[open]").count() == 0:
        section.locator("summary:has-text('写跟进')").click()
    # A template fills the text; the rest is typed.
    section.locator("select[name=templateID]").select_option(label="首次电话")
    expect(section.locator("textarea[name=content]")).to_have_value("介绍公司和产品，了解需求和预算，约拜访时间")
    section.locator("textarea[name=content]").fill("电话沟通：客户下月采购 200 台，要求周五前报价")
    section.locator("input[name=result]").fill("有意向")
    section.locator("input[name=nextContactOn]").fill("2030-01-15")
    section.locator("input[name=nextPlan]").fill("发正式报价")
    page.screenshot(path=str(shots / "40-follow-up-form.png"), full_page=False)
    section.locator("button:has-text('保存')").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#follow-ups .timeline")).to_contain_text("客户下月采购 200 台")
    expect(page.locator("#follow-ups .timeline")).to_contain_text("2030-01-15 发正式报价")
    page.locator("#follow-ups").screenshot(path=str(shots / "41-follow-up-timeline.png"))

    # The list of my follow-ups, newest first.
    page.click("a.nav-item[href='/follow-ups']")
    expect(page.locator("h1")).to_contain_text("跟进记录")
    expect(page.locator(".timeline").first).to_contain_text("客户下月采购 200 台")
    page.screenshot(path=str(shots / "42-follow-up-list.png"), full_page=True)


def test_dashboard_customised(page, demo_server, shots):
    url = demo_server
    sign_in(page, url, "wang.fang")
    expect(page.locator("#w-numbers")).to_be_visible()
    page.click("a:has-text('自定义工作台')")
    page.select_option("select[name=widget]", "chart")
    page.click("button:has-text('添加组件')")
    expect(page.locator("#w-chart svg")).to_be_visible()
    page.locator("#w-hot button[aria-label$='上移']").click()
    page.click("a:has-text('完成')")
    expect(page.locator("#w-chart")).to_be_visible()
    page.screenshot(path=str(shots / "43-dashboard.png"), full_page=True)


def test_calendar_week_drag_to_reschedule(page, demo_server, shots):
    url = demo_server
    sign_in(page, url, "zhao.lei")
    page.click("a.nav-item[href='/calendar']")
    page.click("summary:has-text('安排活动')")
    page.fill("#f-title", "拜访华信采购部")
    page.fill("#f-startTime", "14:30")
    page.fill("#f-endTime", "16:00")
    page.click("form[action='/activities'] button:has-text('新建')")
    expect(page.locator(".flash-success")).to_be_visible()
    item = page.locator(".cal-item:has-text('拜访华信采购部')")
    expect(item).to_be_visible()
    source = item.locator("xpath=ancestor::div[contains(@class,'cal-day')]").get_attribute("data-date")
    days = page.locator(".calendar .cal-day")
    target = days.first if days.first.get_attribute("data-date") != source else days.last
    target_date = target.get_attribute("data-date")
    item.drag_to(target)
    page.wait_for_load_state("load")
    expect(page.locator(f".cal-day[data-date='{target_date}'] .cal-item:has-text('拜访华信采购部')")).to_be_visible()
    page.screenshot(path=str(shots / "44-calendar-week.png"), full_page=True)
