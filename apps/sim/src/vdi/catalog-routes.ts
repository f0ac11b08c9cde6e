import { availableImages, imageView, productView, resizeTargets, SIM_PRODUCTS } from "../catalog.ts";
import type { SimContext } from "../context.ts";
import { paginate, readPage } from "../http.ts";
import type { RouteDef } from "../routes.ts";

/** `GET /products` (with `product_id=`: that product's resize targets) and `GET /images`. */
export function catalogRoutes(ctx: SimContext): RouteDef[] {
  return [
    {
      method: "GET",
      path: "/products",
      handler: (c) => {
        const productId = c.req.query("product_id");
        const osType = c.req.query("os_type");
        const architecture = c.req.query("architecture");
        const products = (productId ? resizeTargets(productId) : [...SIM_PRODUCTS]).filter(
          (p) => (!osType || p.os_type === osType) && (!architecture || architecture === "x86"),
        );
        const page = readPage(c, 100, 100);
        return c.json({ products: paginate(products, page).map(productView), total_count: products.length });
      },
    },
    {
      method: "GET",
      path: "/images",
      handler: (c) => {
        const osType = c.req.query("os_type");
        const imageType = c.req.query("image_type");
        const imageId = c.req.query("image_id");
        const images = availableImages(ctx.options.macos).filter(
          (i) =>
            (!osType || i.os_type === osType) &&
            (!imageType || imageType === "gold") &&
            (!imageId || i.image_id === imageId),
        );
        const page = readPage(c, 100, 100);
        return c.json({ images: paginate(images, page).map(imageView), total_count: images.length });
      },
    },
  ];
}
