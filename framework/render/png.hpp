#pragma once
// PNG files through libpng (Debian's libpng-dev), its simplified API: 8-bit RGB.
#include <string>

#include "framework/render/image.hpp"

namespace helmholtz::render {

// The image as the bytes of a PNG file.
std::string encode_png(const Image& image);
// Written atomically (a temporary file beside `file`, then renamed); throws Error naming the
// file when it cannot be written.
void write_png(const std::string& file, const Image& image);
// Decodes a PNG file (any format libpng reads) into 8-bit RGB; throws Error naming the file.
Image read_png(const std::string& file);

}  // namespace helmholtz::render
