package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

func TestFitKeepsProportionsAndNeverUpscales(t *testing.T) {
	cases := []struct{ w, h, ww, wh int }{{640, 480, 128, 96}, {480, 640, 96, 128}, {100, 50, 100, 50}, {4000, 10, 128, 1}}
	for _, c := range cases {
		if w, h := Fit(c.w, c.h); w != c.ww || h != c.wh {
			t.Errorf("Fit(%d, %d) = %d, %d; want %d, %d", c.w, c.h, w, h, c.ww, c.wh)
		}
	}
}

func TestThumbnailDecodesResizesAndEncodes(t *testing.T) {
	source := image.NewRGBA(image.Rect(0, 0, 300, 200))
	for x := 0; x < 300; x++ {
		for y := 0; y < 200; y++ {
			source.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var in bytes.Buffer
	if err := png.Encode(&in, source); err != nil {
		t.Fatal(err)
	}
	out, from, to, format, err := Thumbnail(in.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if format != "png" || from.Dx() != 300 || to.Dx() != 128 || to.Dy() != 85 || decoded.Bounds().Dx() != 128 || decoded.Bounds().Dy() != 85 {
		t.Errorf("got %s %v -> %v (decoded %v)", format, from, to, decoded.Bounds())
	}
	if _, _, _, _, err := Thumbnail([]byte("not an image")); err == nil {
		t.Error("text was decoded as an image")
	}
}
