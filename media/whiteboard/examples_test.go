package whiteboard

// The examples below are the examples of docs/whiteboard.md, line for line
// (TestDocExamples keeps the two in step). They seed FuzzDecode and
// FuzzDecodeServer.

// clientExamples are valid client-to-server messages.
var clientExamples = map[string]string{
	"update rectangle": `{"v":1,"type":"update","id":"m1","elements":[{"id":"r-Hq2fXk8a1","type":"rectangle","x":100,"y":80,"width":240,"height":120,"angle":0,"strokeColor":"#1e1e1e","backgroundColor":"transparent","fillStyle":"solid","strokeWidth":2,"strokeStyle":"solid","roughness":1,"opacity":100,"groupIds":[],"frameId":null,"index":"a0","roundness":{"type":3},"seed":1468221,"version":2,"versionNonce":1934811221,"isDeleted":false,"boundElements":null,"updated":1718000000000,"link":null,"locked":false}]}`,
	"update freedraw":  `{"v":1,"type":"update","elements":[{"id":"fd_01","type":"freedraw","x":300,"y":200,"width":40,"height":12,"strokeColor":"#e03131","strokeWidth":2,"opacity":100,"index":"a1","points":[[0,0],[10.5,4],[22,9],[40,12]],"pressures":[],"simulatePressure":true,"lastCommittedPoint":null,"seed":99,"version":7,"versionNonce":20211,"isDeleted":false}]}`,
	"update text":      `{"v":1,"type":"update","id":"m3","elements":[{"id":"t1","type":"text","x":120,"y":110,"width":80,"height":25,"text":"Agenda","originalText":"Agenda","fontSize":20,"fontFamily":5,"textAlign":"left","verticalAlign":"top","containerId":null,"autoResize":true,"lineHeight":1.25,"index":"a2","version":3,"versionNonce":5521,"isDeleted":false}]}`,
	"update delete":    `{"v":1,"type":"update","id":"m4","elements":[{"id":"r-Hq2fXk8a1","type":"rectangle","x":100,"y":80,"width":240,"height":120,"index":"a0","version":3,"versionNonce":404404,"isDeleted":true}]}`,
	"pointer":          `{"v":1,"type":"pointer","x":412.5,"y":-37}`,
	"pointer laser":    `{"v":1,"type":"pointer","x":10,"y":20.25,"tool":"laser","button":"down"}`,
	"clear":            `{"v":1,"type":"clear","id":"c1"}`,
}

// serverExamples are valid server-to-client messages.
var serverExamples = map[string]string{
	"snapshot":        `{"v":1,"type":"snapshot","seq":41,"part":1,"parts":1,"elements":[{"id":"t1","type":"text","x":120,"y":110,"text":"Agenda","originalText":"Agenda","fontSize":20,"index":"a2","version":3,"versionNonce":5521,"isDeleted":false},{"id":"old","type":"ellipse","x":0,"y":0,"index":"a3","version":9,"versionNonce":17,"isDeleted":true}]}`,
	"snapshot empty":  `{"v":1,"type":"snapshot","seq":0,"part":1,"parts":1,"elements":[]}`,
	"snapshot part 2": `{"v":1,"type":"snapshot","seq":977,"part":2,"parts":3,"elements":[{"id":"a9","type":"line","x":5,"y":5,"points":[[0,0],[50,0]],"index":"b07","version":1,"versionNonce":3,"isDeleted":false}]}`,
	"update":          `{"v":1,"type":"update","seq":42,"from":"PA_1","elements":[{"id":"fd_01","type":"freedraw","x":300,"y":200,"points":[[0,0],[10.5,4],[22,9],[40,12]],"index":"a1","version":7,"versionNonce":20211,"isDeleted":false}]}`,
	"pointer":         `{"v":1,"type":"pointer","from":"PA_2","x":412.5,"y":-37}`,
	"pointer laser":   `{"v":1,"type":"pointer","from":"PA_2","x":10,"y":20.25,"tool":"laser","button":"down"}`,
	"cleared":         `{"v":1,"type":"cleared","seq":43,"by":"PA_host"}`,
	"ack":             `{"v":1,"type":"ack","id":"m1","seq":42,"accepted":1,"stale":0}`,
	"ack stale":       `{"v":1,"type":"ack","id":"m9","seq":42,"accepted":0,"stale":2}`,
	"error":           `{"v":1,"type":"error","code":"invalid_field","message":"elements[0].type: \"image\" is not allowed (allowed: rectangle, ellipse, diamond, arrow, line, freedraw, text, frame)","refId":"m7"}`,
	"error rate":      `{"v":1,"type":"error","code":"rate_limited","message":"too many messages; slow down"}`,
}

// sceneExample is the exported scene of docs/whiteboard.md §9.
const sceneExample = `{"type":"excalidraw","version":2,"source":"jishitong","elements":[{"id":"r-Hq2fXk8a1","type":"rectangle","x":100,"y":80,"width":240,"height":120,"index":"a0","version":2,"versionNonce":1934811221,"isDeleted":false},{"id":"t1","type":"text","x":120,"y":110,"text":"Agenda","originalText":"Agenda","fontSize":20,"index":"a2","version":3,"versionNonce":5521,"isDeleted":false}],"appState":{}}`
