"""Contracts and money: a rep turns an accepted quote into a contract with a three-instalment plan,
his supervisor and the boss approve it one after the other, then he records a partial payment
(after a typing mistake the form keeps) and asks for an invoice; the statistics show both."""
import re

from playwright.sync_api import expect

from test_customers import sign_in


def person(browser, url, account):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda d: d.accept())
    sign_in(page, url, account)
    return context, page


def approve(browser, url, account, number, shots=None, shot=None):
    context, page = person(browser, url, account)
    page.goto(f"{url}/approvals")
    page.locator("a", has_text=number).first.click()
    if shots:
        page.screenshot(path=str(shots / shot), full_page=True)
    page.click("button:has-text('同意')")
    expect(page.locator(".flash-success")).to_be_visible()
    context.close()


def test_contract_approved_by_two_then_paid_in_part_and_invoiced(browser, demo_server, shots):
    url = demo_server
    # The administrator: contracts go to the rep's supervisor, then to the boss.
    context, admin = person(browser, url, "admin")
    admin.goto(f"{url}/admin/approval-flows")
    flow = admin.locator("#flow-contract")
    flow.locator("[name=name0]").fill("主管审批")
    flow.locator("[name=kind0]").select_option("supervisor")
    flow.locator("[name=name1]").fill("老板审批")
    flow.locator("[name=kind1]").select_option("users")
    flow.locator("[name=target1]").select_option(label="陈建国")
    flow.locator("button:has-text('保存')").click()
    expect(admin.locator(".flash-success")).to_be_visible()
    context.close()

    # The rep: quote, accepted, contract, plan, sent for approval.
    context, page = person(browser, url, "zhao.lei")
    page.goto(f"{url}/opportunities")
    page.locator("table.data tbody tr a.strong").first.click()
    page.click("#quotes a:has-text('新建报价')")
    page.select_option("#f-lines\\.1\\.productID", index=1)
    page.fill("#f-lines\\.1\\.quantity", "2")
    page.fill("#f-lines\\.1\\.taxRate", "13")
    page.click("button:has-text('保存')")
    expect(page.locator(".flash-success")).to_be_visible()
    page.click("button:has-text('标记已发送')")
    page.click("button:has-text('客户接受')")
    page.click("a:has-text('生成合同')")
    page.fill("#f-startsOn", "2026-12-01")
    page.fill("#f-endsOn", "2027-11-30")
    page.click("button:has-text('保存')")
    expect(page.locator(".flash-success")).to_be_visible()
    number = re.search(r"HT\d+", page.locator("h1").inner_text()).group(0)
    page.fill("#f-split", "3")
    page.fill("#f-firstDue", "2026-12-31")
    page.click("button:has-text('生成分期计划')")
    expect(page.locator("#plan tbody tr")).to_have_count(3)
    page.click("button:has-text('提交审批')")
    expect(page.locator(".summary-badges")).to_contain_text("审批中")
    page.screenshot(path=str(shots / "62-contract-pending.png"), full_page=True)

    # Two people approve in turn.
    approve(browser, url, "wang.fang", number, shots, "63-approval-supervisor.png")
    page.reload()
    expect(page.locator(".summary-badges")).to_contain_text("审批中")
    approve(browser, url, "boss", number)
    page.reload()
    expect(page.locator(".summary-badges")).to_contain_text("执行中")
    expect(page.locator("#plan tbody tr")).to_have_count(3)
    page.screenshot(path=str(shots / "64-contract-active.png"), full_page=True)

    # A partial payment: a typing mistake comes back inline, the note kept.
    page.click("#money a:has-text('登记回款')")
    page.fill("#f-amount", "一万")
    page.fill("#f-note", "首付款")
    page.click("button:has-text('保存回款')")
    expect(page.locator("#f-amount")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-note")).to_have_value("首付款")
    page.screenshot(path=str(shots / "65-payment-form-error.png"), full_page=True)
    page.fill("#f-amount", "1000")
    page.click("button:has-text('保存回款')")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#allocations tbody tr")).to_have_count(1)
    expect(page.locator("#allocations")).to_contain_text("1,000.00")
    page.screenshot(path=str(shots / "66-payment.png"), full_page=True)
    page.locator("#allocations a", has_text=number).click()
    expect(page.locator("#plan")).to_contain_text("部分回款")
    expect(page.locator("#money-figures")).to_contain_text("1,000.00")

    # An invoice for what was paid.
    page.click("#money a:has-text('申请开票')")
    page.fill("#f-amount", "1000")
    page.click("button:has-text('提交开票申请')")
    expect(page.locator(".summary-badges")).to_contain_text("已开票")
    expect(page.locator("h1")).to_contain_text("FP")
    page.screenshot(path=str(shots / "67-invoice.png"), full_page=True)

    page.goto(f"{url}/collections")
    expect(page.locator("#collections")).to_contain_text("赵磊")
    page.screenshot(path=str(shots / "68-collections.png"), full_page=True)
    context.close()


def test_contract_without_a_quote_with_a_custom_field(browser, demo_server, shots):
    url = demo_server
    # The administrator gives contracts a project number, shown in the list.
    context, admin = person(browser, url, "admin")
    admin.goto(f"{url}/admin/custom-fields")
    admin.click("nav.tabs a:has-text('合同')")
    admin.fill("#f-label", "项目编号")
    admin.fill("#f-labelEn", "Project")
    admin.select_option("#f-kind", "text")
    admin.click("section.card button:has-text('新建')")
    expect(admin.locator(".flash-success")).to_be_visible()
    context.close()

    # The rep starts a contract from a customer's money card, with a line of its own.
    context, page = person(browser, url, "zhao.lei")
    page.goto(f"{url}/customers")
    page.locator("table.data tbody tr a").first.click()
    page.click("a:has-text('新建合同')")
    page.fill("#f-title", "年度维保服务")
    page.select_option("#f-lines\\.1\\.productID", index=1)
    page.fill("#f-lines\\.1\\.quantity", "三")
    page.fill("#f-cf_xmbh", "WB-2026-07")
    page.click("button:has-text('保存')")
    # A typing mistake: the error sits by the line, what was typed stays.
    expect(page.locator("#f-lines\\.1\\.quantity")).to_have_value("三")
    expect(page.locator("#f-cf_xmbh")).to_have_value("WB-2026-07")
    page.screenshot(path=str(shots / "69-contract-own-lines-error.png"), full_page=True)
    page.fill("#f-lines\\.1\\.quantity", "3")
    page.click("button:has-text('保存')")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text(["WB-2026-07"])
    expect(page.locator("table.data").first).to_contain_text("3")
    page.screenshot(path=str(shots / "70-contract-own-lines.png"), full_page=True)
    page.goto(f"{url}/contracts")
    expect(page.locator("table.data thead")).to_contain_text("项目编号")
    expect(page.locator("table.data tbody")).to_contain_text("WB-2026-07")
    context.close()
