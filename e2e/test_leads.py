"""Leads: an administrator designs a web-to-lead form, a visitor fills it in inside an iframe on
another page, the lead reaches its rep at once, who follows it up and converts it into a customer."""
import http.server
import threading

from playwright.sync_api import expect

from test_customers import sign_in


def company_site(html):
    """The company's own website on another origin (localhost, not 127.0.0.1), framing the form."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_web_form_submission_becomes_a_lead_and_a_customer(page, browser, demo_server, shots):
    url = demo_server
    sign_in(page, url, "admin")
    page.goto(f"{url}/admin/web-forms/new")
    page.fill("#f-name", "E2E 展会报名")
    page.fill("#f-heading", "预约产品演示")
    page.select_option("#f-ownerID", label="赵磊")
    page.fill("#f-thankYou", "收到！赵磊会尽快联系您。")
    # Asking for the company too, and the phone is a must.
    page.check("input[name='fields[]'][value=company]")
    page.check("input[name='requiredFields[]'][value=phone]")
    page.click("button:has-text('保存')")
    expect(page.locator(".flash-success")).to_be_visible()
    snippet = page.locator("#snippet textarea").input_value()
    assert "<iframe" in snippet and "/f/" in snippet
    form_url = page.locator("#snippet a:has-text('打开表单')").get_attribute("href")
    page.screenshot(path=str(shots / "56-web-form-designer.png"), full_page=True)

    # A visitor on the company's website, in a frame, nobody signed in.
    visitor = browser.new_context(viewport={"width": 900, "height": 900}, locale="zh-CN")
    site = visitor.new_page()
    home = f"<!doctype html><meta charset=utf-8><h1>华信科技官网</h1><iframe src='{url}{form_url}' style='width:520px;height:700px;border:1px solid #ccc'></iframe>"
    site_server = company_site(home)
    site.goto(f"http://localhost:{site_server.server_port}/")
    frame = site.frame_locator("iframe")
    expect(frame.locator("h1")).to_have_text("预约产品演示")
    # The hidden field robots fill is not something a person sees.
    expect(frame.locator("input[name=website_url]")).to_be_hidden()
    frame.locator("#f-company").fill("E2E 远景制造有限公司")
    frame.locator("#f-person").fill("孙经理")
    frame.locator("#f-need").fill("想看生产管理模块的演示")
    # The phone is required (the browser asks for it first); a number that is not one comes back with
    # the error beside it and everything typed kept.
    expect(frame.locator("#f-phone")).to_have_attribute("required", "required")
    frame.locator("#f-phone").fill("12")
    frame.locator("button:has-text('提交')").click()
    expect(frame.locator("#e-phone")).to_be_visible()
    expect(frame.locator("#f-company")).to_have_value("E2E 远景制造有限公司")
    frame.locator("#f-phone").fill("13766668888")
    frame.locator("button:has-text('提交')").click()
    expect(frame.locator("text=收到！赵磊会尽快联系您。")).to_be_visible()
    site.screenshot(path=str(shots / "57-web-form-embedded.png"), full_page=True)
    visitor.close()
    site_server.shutdown()

    # The rep is told and finds the lead at the top of their list.
    page.goto(f"{url}/login")
    page.click("button:has-text('退出')")
    sign_in(page, url, "zhao.lei")
    page.goto(f"{url}/notifications")
    expect(page.locator("main")).to_contain_text("E2E 远景制造有限公司")
    page.goto(f"{url}/leads")
    row = page.locator("table.data tbody tr", has_text="E2E 远景制造有限公司")
    expect(row).to_contain_text("孙经理")
    page.screenshot(path=str(shots / "58-leads-list.png"), full_page=True)
    row.locator("a.strong").click()

    # A follow-up moves it to "contacting".
    page.fill("#f-content", "电话确认演示时间：周四下午")
    page.click("#follow-ups button:has-text('写跟进')")
    expect(page.locator("#follow-ups")).to_contain_text("电话确认演示时间")
    expect(page.locator(".summary-badges")).to_contain_text("跟进中")
    page.screenshot(path=str(shots / "59-lead-detail.png"), full_page=True)

    # Conversion: customer, contact and opportunity in one step; the follow-up comes along.
    page.click("a:has-text('转化为客户')")
    expect(page.locator("#f-customerName")).to_have_value("E2E 远景制造有限公司")
    expect(page.locator("#f-contactName")).to_have_value("孙经理")
    page.fill("#f-opportunityName", "E2E 生产管理模块")
    page.fill("#f-amount", "不知道")
    page.click("button:has-text('转化为客户')")
    expect(page.locator("#e-amount")).to_be_visible()
    expect(page.locator("#f-opportunityName")).to_have_value("E2E 生产管理模块")
    page.fill("#f-amount", "86,000")
    page.screenshot(path=str(shots / "60-lead-convert.png"), full_page=True)
    page.click("button:has-text('转化为客户')")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("E2E 远景制造有限公司")
    expect(page.locator("main")).to_contain_text("电话确认演示时间")
    expect(page.locator("#opportunities")).to_contain_text("E2E 生产管理模块")

    # On the new opportunity: the contact is there, and a demand plan is drafted and confirmed with the customer.
    page.locator("#opportunities a:has-text('E2E 生产管理模块')").click()
    expect(page.locator("#contacts")).to_contain_text("孙经理")
    page.click("#demand-plans a:has-text('起草需求方案')")
    page.fill("#f-title", "生产管理需求")
    page.fill("#f-content", "1. 三条产线，约 120 名工人\n2. 排产、报工、质检\n3. 与现有 ERP 对接")
    page.click("button:has-text('保存')")
    expect(page.locator(".summary-badges")).to_contain_text("草稿")
    page.once("dialog", lambda d: d.accept())
    page.click("button:has-text('客户确认')")
    expect(page.locator(".summary-badges")).to_contain_text("客户已确认")
    expect(page.locator("main")).to_contain_text("与现有 ERP 对接")
    page.screenshot(path=str(shots / "61-demand-plan.png"), full_page=True)
