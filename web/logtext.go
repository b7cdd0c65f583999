package web

import (
	"strings"

	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/i18n"
)

// logTexts words the codes of a meeting log (conference.LogEntry) in one language;
// the web app's history.kinds/controls texts say the same.
type logTexts struct {
	kinds, controls, endReasons, clients, roles, onOff map[string]string
	single, pane, muted, hands, elements, every, sep   string
}

var logTextsZH = logTexts{
	kinds: map[string]string{"joined": "入会", "left": "离会", "control": "会控", "started": "会议开始", "ended": "会议结束",
		"screen_started": "开始共享屏幕", "screen_stopped": "停止共享屏幕", "whiteboard_saved": "保存白板",
		"live_started": "开始直播", "live_stopped": "停止直播", "recording_started": "开始录制", "recording_stopped": "停止录制"},
	controls: map[string]string{"muted": "静音", "unmuted": "取消静音", "unmute_requested": "请求取消静音", "muted_all": "全体静音",
		"mute_on_entry": "入会静音设置", "self_unmute": "允许自行解除静音", "role": "更改角色", "locked": "锁定会议", "unlocked": "解锁会议",
		"layout_mode": "切换布局", "pinned": "固定画面", "unpinned": "取消固定", "polling": "轮询设置", "hung_up": "挂断参会人",
		"access_revoked": "账号变更移出会议", "called": "呼叫", "live": "直播", "recording": "录制", "whiteboard": "白板", "ended": "结束会议",
		"hand_raised": "举手", "hand_lowered": "手放下", "hands_lowered": "全部放下举手"},
	endReasons: map[string]string{"host": "主持人结束", "window": "到时自动结束", "empty": "无人后结束"},
	clients:    map[string]string{"browser": "浏览器", "sip": "SIP 终端", "rtsp": "RTSP"},
	roles:      map[string]string{"host": "主持人", "presenter": "主讲人", "participant": "参会者"},
	onOff:      map[string]string{"on": "开", "off": "关"},
	single:     "单画面", pane: "画面 %s", muted: "%s 人", hands: "%s 人", elements: "%s 个元素", every: "每 %s 秒", sep: "：",
}

var logTextsEN = logTexts{
	kinds: map[string]string{"joined": "Joined", "left": "Left", "control": "Control", "started": "Started", "ended": "Ended",
		"screen_started": "Started screen share", "screen_stopped": "Stopped screen share", "whiteboard_saved": "Whiteboard saved",
		"live_started": "Live stream started", "live_stopped": "Live stream stopped", "recording_started": "Recording started", "recording_stopped": "Recording stopped"},
	controls: map[string]string{"muted": "Muted", "unmuted": "Unmuted", "unmute_requested": "Asked to unmute", "muted_all": "Muted everyone",
		"mute_on_entry": "Mute on entry", "self_unmute": "Participants may unmute themselves", "role": "Role changed", "locked": "Locked",
		"unlocked": "Unlocked", "layout_mode": "Layout changed", "pinned": "Pinned", "unpinned": "Unpinned", "polling": "Polling",
		"hung_up": "Hung up", "access_revoked": "Removed (account changed)", "called": "Called", "live": "Live stream", "recording": "Recording",
		"whiteboard": "Whiteboard", "ended": "Ended", "hand_raised": "Raised hand", "hand_lowered": "Lowered hand", "hands_lowered": "Lowered all hands"},
	endReasons: map[string]string{"host": "Host", "window": "Time up", "empty": "Everyone left"},
	clients:    map[string]string{"browser": "Browser", "sip": "SIP terminal", "rtsp": "RTSP"},
	roles:      map[string]string{"host": "Host", "presenter": "Presenter", "participant": "Participant"},
	onOff:      map[string]string{"on": "on", "off": "off"},
	single:     "Single", pane: "pane %s", muted: "%s muted", hands: "%s hand(s)", elements: "%s element(s)", every: "every %s s", sep: ": ",
}

func logTextsFor(lang string) logTexts {
	if lang == i18n.English {
		return logTextsEN
	}
	return logTextsZH
}

// word returns m[code], or the code itself when it has no text.
func word(m map[string]string, code string) string {
	if s, ok := m[code]; ok {
		return s
	}
	return code
}

// kind words a row's kind.
func (l logTexts) kind(e conference.LogEntry) string { return word(l.kinds, e.Kind) }

// client words a row's client kind.
func (l logTexts) client(e conference.LogEntry) string {
	if e.ClientKind == "" {
		return ""
	}
	return word(l.clients, e.ClientKind)
}

// detail words a row's detail and value: "更改角色：主讲人", "Pinned: pane 3".
func (l logTexts) detail(e conference.LogEntry) string {
	var d string
	switch e.Kind {
	case "control":
		d = word(l.controls, e.Detail)
	case "ended":
		d = word(l.endReasons, e.Detail)
	default:
		d = e.Detail
	}
	v := e.Value
	switch {
	case v == "":
	case e.Kind == "whiteboard_saved":
		v = strings.Replace(l.elements, "%s", v, 1)
	case e.Detail == "role":
		v = word(l.roles, v)
	case e.Detail == "pinned":
		v = strings.Replace(l.pane, "%s", v, 1)
	case e.Detail == "muted_all":
		v = strings.Replace(l.muted, "%s", v, 1)
	case e.Detail == "hands_lowered":
		v = strings.Replace(l.hands, "%s", v, 1)
	case e.Detail == "layout_mode" && v == "single":
		v = l.single
	case e.Detail == "polling" && v != "off":
		v = strings.Replace(l.every, "%s", v, 1)
	case v == "on" || v == "off": // self_unmute, mute_on_entry, live, recording, whiteboard
		v = word(l.onOff, v)
	}
	switch {
	case d == "":
		return v
	case v == "":
		return d
	}
	return d + l.sep + v
}
