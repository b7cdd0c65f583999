package notify

import (
	"strings"
	"testing"
	"time"
)

func TestRenderMail(t *testing.T) {
	cfg := Config{PublicURL: "https://meet.example.cn/", SIPDomain: "sip.example.cn"}
	inv := weekly(t)

	zh, err := RenderMail(cfg, inv, Person{Name: "张三", Email: "zhangsan@corp.example.cn"})
	if err != nil {
		t.Fatal(err)
	}
	if zh.Subject != "邀请：产品周会" {
		t.Errorf("subject %q", zh.Subject)
	}
	for _, want := range []string{
		"张三，您好：", "李四 邀请您参加即时通会议。",
		"时间：2026年3月2日（周一） 10:00–10:45 Europe/Berlin（CET，UTC+01:00）",
		"重复：每周一，至 2026年6月29日（周一）",
		"以下日期不举行：3月16日（周一）",
		"改期：3月23日（周一） 10:00 → 3月24日（周二） 14:00",
		"加入会议：https://meet.example.cn/join/123456789",
		"会议号：123456789", "会议密码：4321",
		"SIP 终端呼叫：sip:123456789@sip.example.cn",
		"带密码呼叫：sip:123456789*4321@sip.example.cn",
		"会议说明：\n议程：\n1. 进度",
	} {
		if !strings.Contains(zh.Text, want) {
			t.Errorf("zh text lacks %q:\n%s", want, zh.Text)
		}
	}
	for _, want := range []string{
		`lang="zh-CN"`, `<a href="https://meet.example.cn/join/123456789"`, ">加入会议</a>",
		"2026年3月2日（周一） 10:00–10:45 Europe/Berlin（CET，UTC&#43;01:00）", "每周一，至 2026年6月29日（周一）",
		">123456789<", ">4321<", "sip:123456789@sip.example.cn", "sip:123456789*4321@sip.example.cn",
		"<div style=\"white-space:pre-wrap\">议程：\n1. 进度\n2. 风险</div>",
	} {
		if !strings.Contains(zh.HTML, want) {
			t.Errorf("zh HTML lacks %q:\n%s", want, zh.HTML)
		}
	}

	en, err := RenderMail(cfg, inv, Person{Name: "Bob", Email: "bob@example.com", Lang: "en-US"})
	if err != nil {
		t.Fatal(err)
	}
	if en.Subject != "Invitation: 产品周会" {
		t.Errorf("subject %q", en.Subject)
	}
	for _, want := range []string{
		"Hello Bob,", "李四 invites you",
		"When: Monday, 2 March 2026 10:00–10:45 Europe/Berlin (CET, UTC+01:00)",
		"Repeats: Weekly on Monday, until Monday, 29 June 2026",
		"No meeting on: Mon 16 Mar 2026",
		"Join: https://meet.example.cn/join/123456789",
		"Meeting number: 123456789", "Password: 4321",
		"SIP video system: sip:123456789@sip.example.cn", "With password: sip:123456789*4321@sip.example.cn",
	} {
		if !strings.Contains(en.Text, want) {
			t.Errorf("en text lacks %q:\n%s", want, en.Text)
		}
	}

	inv.Sequence = 1
	if m, _ := RenderMail(cfg, inv, Person{Email: "a@b.cn"}); m.Subject != "已更新：产品周会" || !strings.Contains(m.Text, "您好：") {
		t.Errorf("update: %q\n%s", m.Subject, m.Text)
	}
	if m, _ := RenderMail(cfg, inv, Person{Email: "a@b.cn", Lang: "en"}); m.Subject != "Updated: 产品周会" {
		t.Errorf("update: %q", m.Subject)
	}
	inv.Method = MethodCancel
	m, _ := RenderMail(cfg, inv, Person{Email: "a@b.cn"})
	if m.Subject != "已取消：产品周会" || !strings.Contains(m.Text, "取消了以下会议") || strings.Contains(m.Text, "加入会议") {
		t.Errorf("cancel: %q\n%s", m.Subject, m.Text)
	}
	if m, _ := RenderMail(cfg, inv, Person{Email: "a@b.cn", Lang: "en"}); m.Subject != "Cancelled: 产品周会" || strings.Contains(m.HTML, "/join/") {
		t.Errorf("cancel: %q", m.Subject)
	}
}

func TestRenderMailEscapes(t *testing.T) {
	cfg := Config{PublicURL: "https://meet.example.cn"}
	inv := weekly(t)
	inv.Title = `<script>alert("t")</script>` + "\r\nBcc: evil@x.cn"
	inv.Description = `<img src=x onerror=alert(1)> & <a href="javascript:alert(2)">x</a>`
	inv.Organizer.Name = "<b>Mallory</b>"
	m, err := RenderMail(cfg, inv, Person{Name: "<i>Eve</i>", Email: "eve@x.cn"})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "<img", "<b>", "<i>", `href="javascript`} {
		if strings.Contains(m.HTML, bad) {
			t.Errorf("HTML contains %q:\n%s", bad, m.HTML)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "&lt;img src=x onerror=alert(1)&gt; &amp;", "&lt;b&gt;Mallory&lt;/b&gt;", "&lt;i&gt;Eve&lt;/i&gt;"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.ContainsAny(m.Subject, "\r\n") || m.Subject != `邀请：<script>alert("t")</script> Bcc: evil@x.cn` {
		t.Errorf("subject %q", m.Subject)
	}
}

func TestZoneLabel(t *testing.T) {
	sh := time.Date(2026, 3, 2, 10, 0, 0, 0, mustZone(t, "Asia/Shanghai"))
	if got := whenText(sh, time.Hour, sh.Location(), LangZH); got != "2026年3月2日（周一） 10:00–11:00 北京时间（UTC+08:00）" {
		t.Errorf("zh: %q", got)
	}
	if got := whenText(sh, 15*time.Hour, sh.Location(), LangEN); got != "Monday, 2 March 2026 10:00–Tuesday, 3 March 2026 01:00 China Standard Time (Asia/Shanghai, UTC+08:00)" {
		t.Errorf("en: %q", got)
	}
	kol := time.Date(2026, 3, 2, 10, 0, 0, 0, mustZone(t, "Asia/Kolkata"))
	if got := zoneLabel(kol, LangEN); got != "Asia/Kolkata (IST, UTC+05:30)" {
		t.Errorf("Kolkata: %q", got)
	}
	if got := zoneLabel(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), LangZH); got != "UTC（UTC+00:00）" {
		t.Errorf("UTC: %q", got)
	}
}

func TestDescribeRRULE(t *testing.T) {
	sh := mustZone(t, "Asia/Shanghai")
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, sh) // a Monday
	for _, tc := range []struct{ rrule, zh, en string }{
		{"FREQ=DAILY", "每天", "Every day"},
		{"FREQ=DAILY;INTERVAL=2;COUNT=5", "每 2 天，共 5 次", "Every 2 days, 5 times"},
		{"FREQ=WEEKLY", "每周一", "Weekly on Monday"},
		{"FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20260630T155959Z", "每周一、周三、周五，至 2026年6月30日（周二）", "Weekly on Monday, Wednesday, Friday, until Tuesday, 30 June 2026"},
		{"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "每 2 周的周二", "Every 2 weeks on Tuesday"},
		{"FREQ=MONTHLY", "每月 2 日", "Monthly on day 2"},
		{"FREQ=MONTHLY;BYMONTHDAY=15", "每月 15 日", "Monthly on day 15"},
		{"FREQ=MONTHLY;BYDAY=1MO", "每月第一个周一", "Monthly on the first Monday"},
		{"FREQ=MONTHLY;BYDAY=-1FR", "每月最后一个周五", "Monthly on the last Friday"},
		{"FREQ=MONTHLY;BYDAY=TH;BYSETPOS=2", "每月第二个周四", "Monthly on the second Thursday"},
		{"FREQ=YEARLY", "每年", "Every year"},
		{"FREQ=WEEKLY;BYHOUR=9", "周期会议", "Recurring meeting"},
		{"FREQ=MINUTELY", "周期会议", "Recurring meeting"},
	} {
		if got := describeRRULE(tc.rrule, start, sh, LangZH); got != tc.zh {
			t.Errorf("%s zh: %q, want %q", tc.rrule, got, tc.zh)
		}
		if got := describeRRULE(tc.rrule, start, sh, LangEN); got != tc.en {
			t.Errorf("%s en: %q, want %q", tc.rrule, got, tc.en)
		}
	}
}
