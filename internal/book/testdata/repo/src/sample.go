package sample

import "fmt"

// region: greet

// greet says hello.
func greet(name string) string {
	return "hello, " + name
}

// endregion: greet

func main() {
	// region: body

	msg := greet("reader")
	// region: print
	fmt.Println(msg)
	// endregion: print

	// endregion: body
}

// region: broken

func unterminated() {}
