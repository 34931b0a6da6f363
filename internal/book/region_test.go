package book

import (
	"os"
	"strings"
	"testing"
)

func TestExtractRegion(t *testing.T) {
	src, err := os.ReadFile("testdata/repo/src/sample.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		region  string
		want    string
		wantErr string
	}{
		{region: "greet", want: "// greet says hello.\nfunc greet(name string) string {\n\treturn \"hello, \" + name\n}\n"},
		// Indented: dedented; a nested region's markers dropped.
		{region: "body", want: "msg := greet(\"reader\")\nfmt.Println(msg)\n"},
		{region: "print", want: "fmt.Println(msg)\n"},
		{region: "nope", wantErr: `no region "nope"`},
		{region: "broken", wantErr: `region "broken" is never ended`},
	} {
		t.Run(tc.region, func(t *testing.T) {
			got, err := extractRegion(string(src), tc.region)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("region %s:\n%s\nwant:\n%s", tc.region, got, tc.want)
			}
		})
	}
}

func TestExtractRegionMalformed(t *testing.T) {
	for _, tc := range []struct {
		name, src, wantErr string
	}{
		{"defined twice", "// region: a\nx\n// region: a\n// endregion: a\n", "defined twice"},
		{"ended before it starts", "// endregion: a\n// region: a\n", "endregion \"a\" before its region"},
		{"ended twice", "// region: a\nx\n// endregion: a\n// endregion: a\n", "ends twice"},
		{"empty", "// region: a\n\n// endregion: a\n", "is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := extractRegion(tc.src, "a")
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestEmbedWholeFile checks that a whole file is embedded without its
// region markers and without the blank lines that came with them.
func TestEmbedWholeFile(t *testing.T) {
	got, err := embed("testdata/repo", "src/sample.go")
	if err != nil {
		t.Fatal(err)
	}
	want := `package sample

import "fmt"

// greet says hello.
func greet(name string) string {
	return "hello, " + name
}

func main() {
	msg := greet("reader")
	fmt.Println(msg)
}

func unterminated() {}
`
	if got != want {
		t.Errorf("whole file:\n%s\nwant:\n%s", got, want)
	}
}

func TestEmbedRefusesPathsOutsideTheRepository(t *testing.T) {
	for _, arg := range []string{"../book.go", "/etc/passwd", ""} {
		if _, err := embed("testdata/repo", arg); err == nil {
			t.Errorf("embed %q: no error", arg)
		}
	}
}
