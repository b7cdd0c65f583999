package signal

// validExamples holds one or more valid frames per message type; they seed
// FuzzDecode and are the examples in docs/rtc-protocol.md.
var validExamples = map[string]string{
	"join":              `{"v":2,"id":"1","type":"join","data":{"token":"eyJhbGciOi.x.y","device":{"client":"web","version":"1.4.0","userAgent":"Mozilla/5.0","os":"macOS"}}}`,
	"join resume":       `{"v":2,"type":"join","data":{"token":"t","resumeToken":"r-7f3a"}}`,
	"offer":             `{"v":2,"id":"2","type":"offer","data":{"sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}}`,
	"answer":            `{"v":2,"type":"answer","data":{"sdp":"v=0\r\n"}}`,
	"offerRequest":      `{"v":2,"type":"offerRequest","data":{"audio":1,"video":2}}`,
	"offerRequest bare": `{"v":2,"type":"offerRequest"}`,
	"candidate":         `{"v":2,"type":"candidate","data":{"candidate":"candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"abcd"}}`,
	"candidate end":     `{"v":2,"type":"candidate","data":{"candidate":null}}`,
	"publish camera":    `{"v":2,"id":"3","type":"publish","data":{"cid":"cam-1","mid":"1","kind":"video","source":"camera","layers":[{"rid":"q","quality":"low","maxWidth":320,"maxHeight":180,"maxBitrate":150000},{"rid":"h","quality":"medium","maxWidth":640,"maxHeight":360,"maxBitrate":500000},{"rid":"f","quality":"high","maxWidth":1280,"maxHeight":720,"maxBitrate":1500000,"maxFramerate":30}]}}`,
	"publish mic":       `{"v":2,"type":"publish","data":{"cid":"mic-1","kind":"audio","source":"microphone","muted":true}}`,
	"publish screen":    `{"v":2,"type":"publish","data":{"cid":"scr-1","kind":"video","source":"screen"}}`,
	"unpublish":         `{"v":2,"type":"unpublish","data":{"trackId":"TR_abc"}}`,
	"subscribe":         `{"v":2,"type":"subscribe","data":{"tracks":[{"trackId":"TR_a","enabled":true,"maxQuality":"medium"},{"trackId":"TR_b","enabled":true,"width":320,"height":180},{"trackId":"TR_c","enabled":false}]}}`,
	"mute":              `{"v":2,"type":"mute","data":{"trackId":"TR_abc","muted":true}}`,
	"ping":              `{"v":2,"type":"ping","data":{"ts":1700000000000}}`,
	"ping bare":         `{"v":2,"type":"ping"}`,
	"leave":             `{"v":2,"type":"leave"}`,
	"joined":            `{"v":2,"id":"1","type":"joined","data":{"participantId":"PA_1","resumeToken":"r-7f3a","protocol":2,"iceServers":[{"urls":["stun:stun.example.com:3478"]},{"urls":["turn:turn.example.com:443?transport=tcp"],"username":"u","credential":"p"}],"pingIntervalMs":15000,"state":{"meeting":{"title":"Weekly"},"participants":[]},"offerRequest":{"audio":2,"video":3}}}`,
	"trackPublished":    `{"v":2,"type":"trackPublished","data":{"participantId":"PA_1","trackId":"TR_abc","cid":"cam-1","kind":"video","source":"camera","layers":[{"rid":"f","quality":"high"}]}}`,
	"trackUnpublished":  `{"v":2,"type":"trackUnpublished","data":{"participantId":"PA_1","trackId":"TR_abc"}}`,
	"subscribed":        `{"v":2,"type":"subscribed","data":{"tracks":[{"trackId":"TR_a","enabled":true,"quality":"medium"}]}}`,
	"notice muted":      `{"v":2,"type":"notice","data":{"kind":"mutedByHost","participantId":"PA_1"}}`,
	"notice window":     `{"v":2,"type":"notice","data":{"kind":"reconnectWindow","participantId":"PA_2","seconds":30}}`,
	"notice ended":      `{"v":2,"type":"notice","data":{"kind":"meetingEnded","message":"The host ended the meeting"}}`,
	"state":             `{"v":2,"type":"state","data":{"seq":42,"patch":{"locked":true}}}`,
	"pong":              `{"v":2,"type":"pong","data":{"ts":1700000000000}}`,
	"error":             `{"v":2,"type":"error","data":{"code":"invalid_field","message":"source: unknown value \"webcam\"","refId":"3"}}`,
	"bye":               `{"v":2,"type":"bye","data":{"reason":"removed","message":"Removed by the host"}}`,
}
