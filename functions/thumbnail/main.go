// Thumbnail (scenario 1, file processing): an image uploaded to OBS under uploads/ is decoded,
// resized to fit 128x128 (keeping its proportions, Catmull-Rom resampling) and written as PNG
// under thumbnails/; a message on the SMN topic says so.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	"image/png"
	"net/url"
	"os"
	"path"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"golang.org/x/image/draw"
)

// MaxSide is the longest side of a thumbnail, in pixels.
const MaxSide = 128

// Result describes one thumbnail, as published to SMN.
type Result struct {
	Bucket       string `json:"bucket"`
	Source       string `json:"source"`
	Thumbnail    string `json:"thumbnail"`
	SourceWidth  int    `json:"sourceWidth"`
	SourceHeight int    `json:"sourceHeight"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	Format       string `json:"format"`
}

var (
	s3Client  *s3.Client
	snsClient *sns.Client
)

func init() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	// Path-style works with every endpoint, the local cloud's included (AWS_ENDPOINT_URL).
	s3Client = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	snsClient = sns.NewFromConfig(cfg)
}

// Fit returns the size of a thumbnail of a width x height image: the longest side MaxSide, never upscaled.
func Fit(width, height int) (int, int) {
	if width <= MaxSide && height <= MaxSide {
		return width, height
	}
	if width >= height {
		return MaxSide, max(1, height*MaxSide/width)
	}
	return max(1, width*MaxSide/height), MaxSide
}

// Thumbnail decodes an image, resizes it and encodes it as PNG.
func Thumbnail(data []byte) ([]byte, image.Rectangle, image.Rectangle, string, error) {
	source, format, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, image.Rectangle{}, image.Rectangle{}, "", fmt.Errorf("not an image this function can decode (png, jpeg, gif): %w", err)
	}
	width, height := Fit(source.Bounds().Dx(), source.Bounds().Dy())
	target := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.CatmullRom.Scale(target, target.Bounds(), source, source.Bounds(), draw.Over, nil)
	var out bytes.Buffer
	if err := png.Encode(&out, target); err != nil {
		return nil, image.Rectangle{}, image.Rectangle{}, "", err
	}
	return out.Bytes(), source.Bounds(), target.Bounds(), format, nil
}

func thumbnailKey(key string) string {
	name := strings.TrimSuffix(path.Base(key), path.Ext(key))
	return "thumbnails/" + name + ".png"
}

func handle(ctx context.Context, event events.S3Event) error {
	for _, record := range event.Records {
		bucket := record.S3.Bucket.Name
		key, err := url.QueryUnescape(strings.ReplaceAll(record.S3.Object.Key, "+", " "))
		if err != nil {
			return err
		}
		object, err := s3Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return fmt.Errorf("reading s3://%s/%s: %w", bucket, key, err)
		}
		var data bytes.Buffer
		_, err = data.ReadFrom(object.Body)
		object.Body.Close()
		if err != nil {
			return err
		}
		encoded, from, to, format, err := Thumbnail(data.Bytes())
		if err != nil {
			// A file that is not an image is reported, not retried: retrying cannot fix it.
			fmt.Printf("skipping s3://%s/%s: %v\n", bucket, key, err)
			continue
		}
		target := thumbnailKey(key)
		if _, err := s3Client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(target), Body: bytes.NewReader(encoded), ContentType: aws.String("image/png"),
		}); err != nil {
			return fmt.Errorf("writing s3://%s/%s: %w", bucket, target, err)
		}
		result := Result{bucket, key, target, from.Dx(), from.Dy(), to.Dx(), to.Dy(), format}
		message, _ := json.Marshal(result)
		if _, err := snsClient.Publish(ctx, &sns.PublishInput{
			TopicArn: aws.String(os.Getenv("TOPIC_ARN")), Subject: aws.String("Thumbnail ready"), Message: aws.String(string(message)),
		}); err != nil {
			return fmt.Errorf("publishing to SMN: %w", err)
		}
		fmt.Printf("thumbnail %s: %dx%d -> %dx%d\n", target, from.Dx(), from.Dy(), to.Dx(), to.Dy())
	}
	return nil
}

func main() {
	lambda.Start(handle)
}
