// Package i18n names the languages Jishitong speaks (mails, notices, generated
// names) and turns the tags clients send into one of them. It is the one place that
// decides which tags are accepted; the directory, bookings and mails use it.
package i18n

import "strings"

// Languages of the product. Chinese is the default.
const (
	Chinese = "zh-CN"
	English = "en"
)

// Parse returns the language a tag asks for, case-insensitively: "zh", "zh-CN",
// "zh-Hans" and "zh-SG" are Chinese; "en" and "en-" with a region ("en-US",
// "en_GB") are English. Anything else is not a language the product speaks.
func Parse(tag string) (string, bool) {
	t := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(tag)), "_", "-")
	switch t {
	case "zh", "zh-cn", "zh-hans", "zh-hans-cn", "zh-sg":
		return Chinese, true
	case "en":
		return English, true
	}
	if region, ok := strings.CutPrefix(t, "en-"); ok && len(region) == 2 && isLetters(region) {
		return English, true
	}
	return "", false
}

func isLetters(s string) bool {
	for _, c := range s {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
