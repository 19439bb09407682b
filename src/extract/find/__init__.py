"""Find the template in a `Document`: the three tables (`tables`), digits fused into running text
(`fused`), the pre-2019 lists (`legacy`), the numbers its prose states (`statements`), what it
says of its agency and year (`metadata`), and the splits the neighbouring year settles
(`disambiguate`). Pure: a document in, cells and findings out."""
