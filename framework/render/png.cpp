#include "framework/render/png.hpp"

#include <png.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "framework/error.hpp"
#include "framework/io/atomic_file.hpp"

namespace helmholtz::render {
namespace {

png_image description(std::size_t width, std::size_t height) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = PNG_FORMAT_RGB;
  return image;
}

}  // namespace

std::string encode_png(const Image& picture) {
  png_image image = description(picture.width(), picture.height());
  png_alloc_size_t size = 0;
  const auto row_stride = static_cast<png_int_32>(3 * picture.width());
  // The first call measures, the second writes.
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, picture.rgb().data(), row_stride, nullptr))
    throw Error(std::string("render: libpng cannot encode the image: ") + image.message);
  std::string bytes(size, '\0');
  if (!png_image_write_to_memory(&image, bytes.data(), &size, 0, picture.rgb().data(), row_stride, nullptr))
    throw Error(std::string("render: libpng cannot encode the image: ") + image.message);
  bytes.resize(size);
  return bytes;
}

void write_png(const std::string& file, const Image& image) { write_file_atomically(file, encode_png(image)); }

Image read_png(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("cannot open PNG file '" + file + "'");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()))
    throw Error("'" + file + "' is not a PNG file libpng can read: " + image.message);
  image.format = PNG_FORMAT_RGB;
  Image out(image.width, image.height);
  std::vector<std::uint8_t> rgb(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, rgb.data(), 0, nullptr))
    throw Error("cannot decode PNG file '" + file + "': " + image.message);
  for (std::size_t y = 0; y < out.height(); ++y)
    for (std::size_t x = 0; x < out.width(); ++x) {
      const std::size_t i = 3 * (y * out.width() + x);
      out.set(static_cast<long>(x), static_cast<long>(y), {rgb[i], rgb[i + 1], rgb[i + 2]});
    }
  return out;
}

}  // namespace helmholtz::render
