//go:build race

package udpsend

const raceEnabled = true
